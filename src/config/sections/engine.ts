// Config of the ROMA engine: recursion limits, concurrency, budgets, and per-module overrides.
import { z } from 'zod';
import { CacheStrategySchema, ENGINE_STEP_MODULES, TaskTypeSchema } from '../../contracts/index.js';

export const ModuleOverrideSchema = z
  .object({
    model: z.string().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    /** Replaces the module's system prompt. */
    prompt: z.string().min(1).optional(),
    cacheStrategy: CacheStrategySchema.optional(),
  })
  .strict();
export type ModuleOverride = z.output<typeof ModuleOverrideSchema>;

export const EngineConfigSchema = z
  .object({
    maxDepth: z.number().int().min(0).max(10).default(2),
    maxSubtasks: z.number().int().min(1).max(50).default(8),
    maxConcurrency: z.number().int().min(1).max(256).default(4),
    maxReplans: z.number().int().min(0).max(5).default(1),
    /** Retries of a malformed planner/atomizer answer, with the validation error fed back. */
    maxOutputRetries: z.number().int().min(0).max(5).default(1),
    continueOnFailure: z.boolean().default(false),
    verify: z.boolean().default(false),
    /** Characters of a dependency's result passed to its dependants. */
    maxContextChars: z.number().int().min(100).max(1_000_000).default(8_000),
    budgets: z
      .object({
        maxTokens: z.number().int().positive().optional(),
        maxCostUsd: z.number().positive().optional(),
        maxWallTimeMs: z.number().int().positive().optional(),
        maxNodes: z.number().int().positive().default(200),
      })
      .strict()
      .default({ maxNodes: 200 }),
    temperature: z.number().min(0).max(2).default(0),
    /** Overrides per module (atomizer, planner, executor, aggregator, verifier). */
    modules: z.partialRecord(z.enum(ENGINE_STEP_MODULES), ModuleOverrideSchema).default({}),
    /** Overrides of the executor per task type (RETRIEVE, THINK, WRITE, CODE). */
    taskTypes: z.partialRecord(TaskTypeSchema, ModuleOverrideSchema).default({}),
  })
  .strict();
export type EngineConfig = z.output<typeof EngineConfigSchema>;
