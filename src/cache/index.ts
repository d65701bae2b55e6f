// LLM-response cache and PTC result cache: stores, key design, policy, single-flight, stats, warming.

export { runWithCacheContext } from './cache-context.js';
export type { CacheLogger } from './cache-logger.js';
export type { CacheStatsReport, CacheStatsRow } from './cache-stats.js';
export { readCacheStats } from './cache-stats.js';
export type { CacheStore } from './cache-store.js';
export type {
  WarmOptions,
  WarmReport,
} from './cache-warming.js';
export {
  warmCacheFromJsonl,
  warmCacheFromRun,
} from './cache-warming.js';
export type { LlmCacheEntry } from './llm-cache-entry.js';
export { decodeLlmEntry, encodeLlmEntry, LLM_ENTRY_FORMAT, LLM_ENTRY_READER } from './llm-cache-entry.js';
export { llmCacheKey } from './llm-cache-key.js';
export type { LlmCache } from './llm-cache-middleware.js';
export { createLlmCache } from './llm-cache-middleware.js';
export { MemoryCacheStore } from './memory-cache-store.js';
export { llmCacheOptionsFromConfig, openCacheStore, openLlmCache } from './open-cache.js';
export { RedisCacheStore } from './redis-cache-store.js';
export type { CacheEntryRecord, RunCacheRecorder } from './run-cache-recorder.js';
export {
  createRunCacheRecorder,
  RUN_CACHE_ARTIFACT_MIME_TYPE,
  RUN_CACHE_ARTIFACT_NAME,
} from './run-cache-recorder.js';
