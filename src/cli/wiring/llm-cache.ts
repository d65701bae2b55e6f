// Builds the LLM-response cache from config: Redis when REDIS_URL is set, an in-memory LRU otherwise.

import type { CachePolicyConfig, CacheRuleInput, CacheStore, LlmCache } from '../../cache/index.js';
import { createLlmCache, MemoryCacheStore, RedisCacheStore } from '../../cache/index.js';
import type { RomaConfig } from '../../config/index.js';

/** Per-module and per-task-type cache strategies come from `engine.modules.*` / `engine.taskTypes.*`. */
export function cachePolicyFromConfig(config: RomaConfig): Partial<CachePolicyConfig> {
  const modules: Record<string, CacheRuleInput> = {};
  for (const [name, override] of Object.entries(config.engine.modules)) {
    if (override?.cacheStrategy) modules[name] = { strategy: override.cacheStrategy };
  }
  const taskTypes: Record<string, CacheRuleInput> = {};
  for (const [name, override] of Object.entries(config.engine.taskTypes)) {
    if (override?.cacheStrategy) taskTypes[name] = { strategy: override.cacheStrategy };
  }
  return {
    strategy: config.cache.strategy,
    ttlSeconds: config.cache.ttlSeconds,
    modules: modules as CachePolicyConfig['modules'],
    taskTypes: taskTypes as CachePolicyConfig['taskTypes'],
  };
}

/**
 * Null when `cache.enabled` is false. Waits (bounded by the store's connect timeout) for Redis, so the first
 * calls of a run are not misses only because the connection was still opening; a Redis that is down means
 * an uncached run with one warning. The caller closes `cache.store` (and flushes) when done.
 */
export async function openLlmCache(config: RomaConfig): Promise<LlmCache | null> {
  if (!config.cache.enabled) return null;
  let store: CacheStore;
  if (config.cache.redisUrl) {
    const redis = new RedisCacheStore({ url: config.cache.redisUrl, keyPrefix: config.cache.keyPrefix });
    await redis.connect();
    store = redis;
  } else {
    store = new MemoryCacheStore({
      maxEntries: config.cache.memoryMaxEntries,
      maxBytes: config.cache.memoryMaxBytes,
    });
  }
  return createLlmCache({
    store,
    policy: cachePolicyFromConfig(config),
    maxEntryBytes: config.cache.maxEntryBytes,
    prices: config.llm.prices,
  });
}
