// The LLM-response cache of a CLI process, recording the entries each run used so `cache warm --from-run` works.
import type { CacheLogger, LlmCache, RunCacheRecorder } from '../cache/index.js';
import {
  createRunCacheRecorder,
  openLlmCache,
  RUN_CACHE_ARTIFACT_MIME_TYPE,
  RUN_CACHE_ARTIFACT_NAME,
} from '../cache/index.js';
import type { RomaConfig } from '../config/index.js';
import type { Artifact } from '../contracts/index.js';
import { ROOT_TASK_ID } from '../engine/index.js';
import type { ArtifactStore } from '../store/index.js';

export interface RunCache {
  /** One cache for the whole process: the engine's modules and the in-process PTC agent share it. */
  cache: LlmCache;
  recorder: RunCacheRecorder;
  /**
   * Stores the entries `executionId` stored or hit as its `llm-cache.jsonl` artifact (and forgets them);
   * nothing when it used none.
   */
  saveRunEntries(executionId: string): Promise<Artifact[]>;
  /** Waits for background stats writes, then closes the store. */
  close(): Promise<void>;
}

/**
 * Null when `cache.enabled` is false. Opening waits, bounded by the Redis store's connect timeout, for Redis
 * to be ready, so the first calls of a second run are hits rather than misses of a connection still opening;
 * a Redis that is down means an uncached run with one warning.
 */
export async function openRunCache(
  config: RomaConfig,
  artifacts: ArtifactStore,
  logger?: CacheLogger,
): Promise<RunCache | null> {
  const recorder = createRunCacheRecorder();
  const cache = await openLlmCache(config.cache, {
    prices: config.llm.prices,
    onEntry: recorder.onEntry,
    ...(logger ? { logger } : {}),
  });
  if (!cache) return null;
  return {
    cache,
    recorder,
    saveRunEntries: async (executionId) => {
      const text = recorder.drain(executionId);
      if (text === '') return [];
      const artifact = await artifacts.put({
        executionId,
        taskId: ROOT_TASK_ID,
        name: RUN_CACHE_ARTIFACT_NAME,
        mimeType: RUN_CACHE_ARTIFACT_MIME_TYPE,
        bytes: Buffer.from(text, 'utf8'),
      });
      return [artifact];
    },
    close: async () => {
      await cache.flush().catch(() => undefined);
      await Promise.resolve(cache.store.close()).catch(() => undefined);
    },
  };
}
