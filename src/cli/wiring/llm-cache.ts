// The LLM-response cache for a run, from config: Redis when REDIS_URL is set, an in-memory LRU otherwise.
import type { LlmCache } from '../../cache/index.js';
import { openLlmCache as openCacheFromSection } from '../../cache/index.js';
import type { RomaConfig } from '../../config/index.js';

/**
 * Null when `cache.enabled` is false. Waits (bounded by the store's connect timeout) for Redis, so the first
 * calls of a run are not misses only because the connection was still opening; a Redis that is down means
 * an uncached run with one warning. Per-module strategies of `engine.modules.*` / `engine.taskTypes.*`
 * reach the cache with each call (`providerOptions.roma.cacheStrategy`), those of `cache.modules.*` /
 * `cache.taskTypes.*` through the policy. The caller closes `cache.store` (and flushes) when done.
 */
export async function openLlmCache(config: RomaConfig): Promise<LlmCache | null> {
  return (await openCacheFromSection(config.cache, { prices: config.llm.prices })) ?? null;
}
