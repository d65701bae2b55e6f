// Chooses the cache store from config and builds the LLM cache from it; for `cli/` and `server/` wiring only.
import type { CacheConfig } from '../config/sections/cache.js';
import type { PriceTable } from '../llm/index.js';
import { type CacheLogger, stderrCacheLogger } from './cache-logger.js';
import type { CacheStore } from './cache-store.js';
import { createLlmCache, type LlmCache, type LlmCacheOptions } from './llm-cache-middleware.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import { RedisCacheStore } from './redis-cache-store.js';

type StoreSettings = Pick<CacheConfig, 'redisUrl' | 'keyPrefix' | 'memoryMaxEntries' | 'memoryMaxBytes'>;

interface OpenCacheStoreOptions {
  logger?: CacheLogger;
  commandTimeoutMs?: number;
}

/**
 * Redis when `redisUrl` (REDIS_URL) is set, else the in-memory LRU. Never throws for an unreachable Redis:
 * the store then answers with errors (the cache treats them as misses) until Redis is back.
 */
export async function openCacheStore(
  config: StoreSettings,
  options: OpenCacheStoreOptions = {},
): Promise<CacheStore> {
  if (!config.redisUrl) {
    return new MemoryCacheStore({ maxEntries: config.memoryMaxEntries, maxBytes: config.memoryMaxBytes });
  }
  const store = new RedisCacheStore({
    url: config.redisUrl,
    keyPrefix: config.keyPrefix,
    logger: options.logger ?? stderrCacheLogger,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }),
  });
  await store.connect();
  return store;
}

/** The LLM cache options the `cache` config section describes. */
export function llmCacheOptionsFromConfig(
  config: CacheConfig,
  extras: { prices?: PriceTable; logger?: CacheLogger } = {},
): Omit<LlmCacheOptions, 'store'> {
  return {
    policy: {
      strategy: config.strategy,
      ttlSeconds: config.ttlSeconds,
      nonDeterministicTtlSeconds: config.nonDeterministicTtlSeconds,
      modules: config.modules,
      taskTypes: config.taskTypes,
    },
    maxEntryBytes: config.maxEntryBytes,
    singleFlight: config.singleFlight,
    ...(extras.prices ? { prices: extras.prices } : {}),
    ...(extras.logger ? { logger: extras.logger } : {}),
  };
}

/** Store + LLM cache from config; undefined when `cache.enabled` is false. Close `store` when done. */
export async function openLlmCache(
  config: CacheConfig,
  extras: { prices?: PriceTable; logger?: CacheLogger; onEntry?: LlmCacheOptions['onEntry'] } = {},
): Promise<LlmCache | undefined> {
  if (!config.enabled) return undefined;
  const store = await openCacheStore(config, extras.logger ? { logger: extras.logger } : {});
  return createLlmCache({
    store,
    ...llmCacheOptionsFromConfig(config, extras),
    ...(extras.onEntry ? { onEntry: extras.onEntry } : {}),
  });
}
