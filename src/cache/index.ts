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
export type {
  CacheWarmLine,
  RunSources,
  WarmEntryLine,
  WarmOptions,
  WarmPairLine,
  WarmProblem,
  WarmReport,
} from './cache-warming.js';
export {
  CacheWarmLineSchema,
  sdkProviderOf,
  WarmEntryLineSchema,
  WarmPairLineSchema,
  warmCacheFromJsonl,
  warmCacheFromRun,
} from './cache-warming.js';
export { canonicalSha256Hex } from './canonical-hash.js';
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
export type { OpenCacheStoreOptions } from './open-cache.js';
export { llmCacheOptionsFromConfig, openCacheStore, openLlmCache } from './open-cache.js';
export type { PtcResultCache, PtcResultCacheOptions } from './ptc-result-cache.js';
export {
  createPtcResultCache,
  PTC_CACHE_VERSION,
  PTC_ENTRY_FORMAT,
  PTC_NAMESPACE,
  ptcCacheKey,
  ptcCacheTtlSeconds,
  ptcPlanHash,
  ptcPlanIdentity,
  SMART_TOOL_TTL_SECONDS,
} from './ptc-result-cache.js';
export type { RedisCacheStoreOptions } from './redis-cache-store.js';
export { RedisCacheStore, redactRedisUrl } from './redis-cache-store.js';
export type { CacheEntryRecord, RunCacheRecorder, RunCacheRecorderOptions } from './run-cache-recorder.js';
export {
  createRunCacheRecorder,
  RUN_CACHE_ARTIFACT_MIME_TYPE,
  RUN_CACHE_ARTIFACT_NAME,
} from './run-cache-recorder.js';
export type { CachedModelRef, SavedCostFunction } from './saved-cost.js';
export { romaModelIdsOf, savedCostFromPrices } from './saved-cost.js';
export type { FlightLease, SingleFlightSettings } from './single-flight-cache.js';
export { DEFAULT_SINGLE_FLIGHT, SingleFlightCache } from './single-flight-cache.js';
