// Bodies of the REST API and the PTC service, shared by servers and clients.
import { z } from 'zod';

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
export type SolveRequest = z.output<typeof SolveRequestSchema>;

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
