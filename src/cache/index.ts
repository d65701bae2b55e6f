// LLM-response cache and PTC result cache: stores, key design, policy, single-flight, stats, warming.

export type { ReadCacheContextResult } from './cache-context.js';
export {
  currentCacheContext,
  ROMA_PROVIDER_OPTIONS_KEY,
  RomaProviderOptionsSchema,
  readCacheContext,
  runWithCacheContext,
} from './cache-context.js';
export type { CacheLogger } from './cache-logger.js';
export { stderrCacheLogger, WarnOnce } from './cache-logger.js';
export type { CacheCallContext, CacheDecision, CachePolicyConfig, CacheRuleInput } from './cache-policy.js';
export { DEFAULT_CACHE_POLICY, decideCachePolicy, isDeterministicRequest } from './cache-policy.js';
export type { CacheCounter, CacheCounterIncrements, CacheStatsReport, CacheStatsRow } from './cache-stats.js';
export {
  CACHE_COUNTERS,
  CacheStatsRecorder,
  readCacheStats,
  statsGroupName,
  summarizeCacheStats,
} from './cache-stats.js';
export type { CacheSetOptions, CacheStore, CounterGroup, MaybePromise } from './cache-store.js';
export { canonicalize, canonicalJson, sha256Hex } from './canonical-json.js';
export type { CachedGenerate, LlmCacheEntry, SavedUsage } from './llm-cache-entry.js';
export {
  decodeLlmEntry,
  encodeLlmEntry,
  LLM_ENTRY_FORMAT,
  LlmCacheEntrySchema,
  SavedUsageSchema,
  savedUsageOf,
} from './llm-cache-entry.js';
export type { LlmCacheKey } from './llm-cache-key.js';
export { canonicalLlmRequest, LLM_CACHE_VERSION, LLM_NAMESPACE, llmCacheKey } from './llm-cache-key.js';
export type { LlmCache, LlmCacheOptions } from './llm-cache-middleware.js';
export { createLlmCache, llmStatsGroup } from './llm-cache-middleware.js';
export type { CacheHitMetadata } from './llm-cache-replay.js';
export { generateFromParts, partsFromGenerate, zeroUsage } from './llm-cache-replay.js';
export type { MemoryCacheStoreOptions } from './memory-cache-store.js';
export { MemoryCacheStore } from './memory-cache-store.js';
export type { RedisCacheStoreOptions } from './redis-cache-store.js';
export { RedisCacheStore, redactRedisUrl } from './redis-cache-store.js';
export type { CachedModelRef, SavedCostFunction } from './saved-cost.js';
export { romaModelIdsOf, savedCostFromPrices } from './saved-cost.js';
export type { FlightLease, SingleFlightSettings } from './single-flight-cache.js';
export { DEFAULT_SINGLE_FLIGHT, SingleFlightCache } from './single-flight-cache.js';
