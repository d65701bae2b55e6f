// Config of the LLM-response cache and the PTC result cache.
import { z } from 'zod';
import { CacheStrategySchema, EngineModuleSchema, TaskTypeSchema } from '../../contracts/index.js';

const strategySchema = CacheStrategySchema;

/** A cache rule for one engine module or task type; unset fields fall back to the section's values. */
const CacheRuleSchema = z
  .object({
    strategy: strategySchema.optional(),
    ttlSeconds: z.number().int().positive().optional(),
  })
  .strict();

export const CacheConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** redis://… selects the Redis store; in-memory LRU otherwise. */
    redisUrl: z.string().min(1).optional(),
    keyPrefix: z.string().default('roma:'),
    strategy: strategySchema.default('SMART'),
    /** TTL of deterministic entries (temperature 0 or fixed seed). */
    ttlSeconds: z
      .number()
      .int()
      .positive()
      .default(7 * 24 * 3600),
    /** TTL of non-deterministic entries, which only the ALWAYS strategy stores. */
    nonDeterministicTtlSeconds: z.number().int().positive().default(3600),
    /** Rules per engine module (atomizer, planner, executor, aggregator, verifier, ptc). */
    modules: z.partialRecord(EngineModuleSchema, CacheRuleSchema).default({}),
    /** Rules per task type (RETRIEVE, THINK, WRITE, CODE); a task type's rule wins over its module's. */
    taskTypes: z.partialRecord(TaskTypeSchema, CacheRuleSchema).default({}),
    singleFlight: z
      .object({
        enabled: z.boolean().default(true),
        /** Lock lifetime; the holder renews it while its call runs, so it only lapses when the holder dies. */
        lockTtlMs: z.number().int().min(100).default(10_000),
        /** Longest a waiter waits for another caller's answer before calling upstream itself. */
        maxWaitMs: z.number().int().min(0).default(120_000),
      })
      .strict()
      .default({ enabled: true, lockTtlMs: 10_000, maxWaitMs: 120_000 }),
    maxEntryBytes: z.number().int().positive().default(1_048_576),
    memoryMaxEntries: z.number().int().positive().default(10_000),
    memoryMaxBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1_048_576),
  })
  .strict();
export type CacheConfig = z.output<typeof CacheConfigSchema>;
