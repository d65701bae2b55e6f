// Config of the LLM-response cache and the PTC result cache.
import { z } from 'zod';

export const CacheConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** redis://… selects the Redis store; in-memory LRU otherwise. */
    redisUrl: z.string().min(1).optional(),
    keyPrefix: z.string().default('roma:'),
    strategy: z.enum(['ALWAYS', 'NEVER', 'SMART']).default('SMART'),
    /** TTL of deterministic entries (temperature 0 or fixed seed). */
    ttlSeconds: z
      .number()
      .int()
      .positive()
      .default(7 * 24 * 3600),
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
