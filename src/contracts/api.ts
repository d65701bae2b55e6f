// Bodies of the REST API and the PTC service, shared by servers and clients.
import { z } from 'zod';
import { ExecutionStatusSchema } from './execution.js';

export const SolveRequestSchema = z
  .object({
    goal: z.string().min(1, 'goal must not be empty'),
    model: z.string().min(1).optional(),
    maxDepth: z.number().int().min(0).max(10).optional(),
    maxConcurrency: z.number().int().min(1).max(256).optional(),
    budgetUsd: z.number().positive().optional(),
    profile: z.string().min(1).optional(),
  })
  .strict();

export const ApiErrorBodySchema = z
  .object({
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        field: z.string().optional(),
        retryable: z.boolean().optional(),
        fix: z.string().optional(),
      })
      .strict(),
  })
  .strict();
export type ApiErrorBody = z.output<typeof ApiErrorBodySchema>;

export const PtcStatsSchema = z
  .object({
    executions: z.number().int().nonnegative(),
    cacheHits: z.number().int().nonnegative(),
    failures: z.number().int().nonnegative(),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative(),
  })
  .strict();
export type PtcStats = z.output<typeof PtcStatsSchema>;

/** `POST /api/v1/executions`: a goal to solve, with per-run options; the server answers 202 with links. */
export const StartExecutionRequestSchema = z
  .object({
    goal: z.string().min(1, 'goal must not be empty').max(20_000, 'goal is too long (max 20,000 characters)'),
    model: z.string().min(1).max(200).optional(),
    maxDepth: z.number().int().min(0).max(10).optional(),
    maxConcurrency: z.number().int().min(1).max(256).optional(),
    budgetUsd: z.number().positive().max(1_000_000).optional(),
    profile: z.string().min(1).max(100).optional(),
    /** Config overrides for this run, by dotted key (`engine.maxReplans`: 1), checked by the config schema. */
    config: z
      .record(z.string().min(1).max(200), z.union([z.string().max(2_000), z.number(), z.boolean()]))
      .refine((value) => Object.keys(value).length <= 50, 'at most 50 config overrides')
      .optional(),
    /** Free labels kept with the run (who started it, a ticket…). */
    metadata: z
      .record(z.string().min(1).max(64), z.string().max(1_000))
      .refine((value) => Object.keys(value).length <= 32, 'at most 32 metadata entries')
      .optional(),
  })
  .strict();
export type StartExecutionRequest = z.output<typeof StartExecutionRequestSchema>;

/** `POST /api/v1/executions/:id/cancel` (the body is optional). */
export const CancelExecutionRequestSchema = z.object({ reason: z.string().max(1_000).optional() }).strict();

/** `POST /api/v1/executions/:id/resume` (the body is optional). */
export const ResumeExecutionRequestSchema = z
  .object({
    budgetUsd: z.number().positive().max(1_000_000).optional(),
    maxTokens: z.number().int().positive().optional(),
    maxConcurrency: z.number().int().min(1).max(256).optional(),
    force: z.boolean().optional(),
  })
  .strict();
export type ResumeExecutionRequest = z.output<typeof ResumeExecutionRequestSchema>;

/** Query of `GET /api/v1/executions`. */
export const ListExecutionsQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(9_500).default(0),
    status: ExecutionStatusSchema.optional(),
  })
  .strict();

/** `?after=SEQ` (and `limit`) of the event routes; `after` 0 is the whole log. */
export const EventsQuerySchema = z
  .object({
    after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
  })
  .strict();

const ExecutionLinksSchema = z
  .object({
    self: z.string(),
    tree: z.string(),
    events: z.string(),
    stream: z.string(),
    cancel: z.string(),
    resume: z.string(),
    artifacts: z.string(),
    export: z.string(),
  })
  .strict();

export const ExecutionAcceptedSchema = z
  .object({ id: z.string(), status: z.string(), links: ExecutionLinksSchema })
  .strict();
