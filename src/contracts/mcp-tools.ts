// Inputs and outputs of the tools roma offers as an MCP server (`roma mcp serve`): solve and run control.
import { z } from 'zod';
import { ExecutionStatusSchema, StopReasonSchema } from './execution.js';
import { TokenUsageSchema } from './usage.js';

export const SolveToolInputSchema = z
  .object({
    goal: z.string().min(1, 'goal must not be empty').max(20_000, 'goal is too long (max 20,000 characters)'),
    maxDepth: z
      .number()
      .int()
      .min(0)
      .max(10)
      .optional()
      .describe('Recursion depth of the task tree (0: answer directly)'),
    model: z.string().min(1).max(200).optional().describe('Model id, e.g. anthropic:claude-sonnet-4-5'),
    profile: z.string().min(1).max(100).optional().describe('A profile of roma.config.yaml'),
    budgetUsd: z
      .number()
      .positive()
      .max(1_000)
      .optional()
      .describe('Stop the run once it has cost this much'),
    maxTokens: z
      .number()
      .int()
      .positive()
      .max(100_000_000)
      .optional()
      .describe('Stop once this many tokens are spent'),
    maxWallTimeMs: z.number().int().positive().max(86_400_000).optional().describe('Stop after this long'),
  })
  .strict();
export type SolveToolInput = z.output<typeof SolveToolInputSchema>;

const RunTotalsSummarySchema = z
  .object({
    tasks: z.number().int().nonnegative(),
    completedTasks: z.number().int().nonnegative(),
    failedTasks: z.number().int().nonnegative(),
    modelCalls: z.number().int().nonnegative(),
    cacheHits: z.number().int().nonnegative(),
    usage: TokenUsageSchema,
    durationMs: z.number().nonnegative(),
  })
  .strict();

/** What `solve` returns and `run_get` / `roma://runs/{id}` show. */
export const RunReportSchema = z
  .object({
    executionId: z.string().min(1),
    goal: z.string(),
    status: ExecutionStatusSchema,
    reason: StopReasonSchema.nullable(),
    answer: z.string().nullable(),
    error: z.string().nullable(),
    totals: RunTotalsSummarySchema,
    /** One line per task: id, type, status, goal (bounded). */
    tree: z.array(
      z
        .object({
          id: z.string(),
          depth: z.number().int().nonnegative(),
          taskType: z.string(),
          status: z.string(),
          goal: z.string(),
        })
        .strict(),
    ),
    artifacts: z.array(
      z.object({ name: z.string(), mimeType: z.string(), bytes: z.number(), uri: z.string() }).strict(),
    ),
  })
  .strict();
export type RunReport = z.output<typeof RunReportSchema>;

export const RunIdInputSchema = z.object({ executionId: z.string().min(1).max(200) }).strict();

export const RunsListInputSchema = z
  .object({
    status: ExecutionStatusSchema.optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .strict();

export const RunsListOutputSchema = z
  .object({
    runs: z.array(
      z
        .object({
          executionId: z.string(),
          goal: z.string(),
          status: ExecutionStatusSchema,
          createdAt: z.string(),
          usage: TokenUsageSchema,
          tasks: z.number().int().nonnegative(),
        })
        .strict(),
    ),
  })
  .strict();

export const RunCancelInputSchema = z
  .object({ executionId: z.string().min(1).max(200), reason: z.string().max(1_000).optional() })
  .strict();

export const RunEventsInputSchema = z
  .object({
    executionId: z.string().min(1).max(200),
    after: z.number().int().min(0).default(0).describe('Events after this seq'),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();

export const RunEventsOutputSchema = z
  .object({
    /** Stream events (the contracts' StreamEvent), in seq order. */
    events: z.array(z.record(z.string(), z.unknown())),
    /** Pass as `after` to read on; null when the log ended here. */
    nextAfter: z.number().int().nonnegative().nullable(),
  })
  .strict();
