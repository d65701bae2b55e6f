// The LLM-response cache as AI SDK language-model middleware: every model call of every module goes through it.
import type {
  LanguageModelV3,
  LanguageModelV3GenerateResult,
  LanguageModelV3Middleware,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
} from '@ai-sdk/provider';
import { wrapLanguageModel } from 'ai';
import type { PriceTable } from '../llm/index.js';
import { readCacheContext } from './cache-context.js';
import { type CacheLogger, stderrCacheLogger, WarnOnce } from './cache-logger.js';
import { type CachePolicyConfig, DEFAULT_CACHE_POLICY, decideCachePolicy } from './cache-policy.js';
import { CacheStatsRecorder, statsGroupName } from './cache-stats.js';
import type { CacheStore } from './cache-store.js';
import {
  encodeLlmEntry,
  LLM_ENTRY_FORMAT,
  LLM_ENTRY_READER,
  type LlmCacheEntry,
  savedUsageOf,
} from './llm-cache-entry.js';
import { LLM_NAMESPACE, llmCacheKey } from './llm-cache-key.js';
import { type CacheHitMetadata, generateResultFromEntry, streamResultFromEntry } from './llm-cache-replay.js';
import type { CacheEntryRecord } from './run-cache-recorder.js';
import { type CachedModelRef, type SavedCostFunction, savedCostFromPrices } from './saved-cost.js';
import type { SingleFlightSettings } from './single-flight-cache.js';
import { DEFAULT_SINGLE_FLIGHT, type FlightLease, SingleFlightCache } from './single-flight-cache.js';

export interface LlmCacheOptions {
  store: CacheStore;
  policy?: Partial<CachePolicyConfig>;
  /** Encoded answers larger than this are not stored (counted as `oversize`). 1 MiB by default. */
  maxEntryBytes?: number;
  singleFlight?: Partial<SingleFlightSettings>;
  logger?: CacheLogger;
  /** Price overrides (`llm.prices`) for the cost a hit saved; the model layer's default prices otherwise. */
  prices?: PriceTable;
  /** Replaces the price-table lookup for the cost a hit saved. */
  costOfSaved?: SavedCostFunction;
  /** Told of every entry stored or served (e.g. a run recorder, for `roma cache warm --from-run`). */
  onEntry?: (record: CacheEntryRecord) => void;
  /** Clock for `createdAt` of entries. */
  now?: () => Date;
}

export interface LlmCache {
  readonly store: CacheStore;
  readonly stats: CacheStatsRecorder;
  readonly flights: SingleFlightCache;
  readonly middleware: LanguageModelV3Middleware;
  /** The model with the cache in front of it. */
  wrap(model: LanguageModelV3): LanguageModelV3;
  /** Waits for background stats writes (call before a short-lived process exits). */
  flush(): Promise<void>;
}

export function llmStatsGroup(model: CachedModelRef): string {
  return statsGroupName(LLM_NAMESPACE, `${model.provider}:${model.modelId}`);
}

export function createLlmCache(options: LlmCacheOptions): LlmCache {
  const logger = options.logger ?? stderrCacheLogger;
  const warnings = new WarnOnce(logger);
  const policy: CachePolicyConfig = { ...DEFAULT_CACHE_POLICY, ...options.policy };
  const stats = new CacheStatsRecorder(options.store);
  const flights = new SingleFlightCache({
    store: options.store,
    stats,
    logger,
    maxEntryBytes: options.maxEntryBytes ?? 1_048_576,
    singleFlight: { ...DEFAULT_SINGLE_FLIGHT, ...options.singleFlight },
  });
  const now = options.now ?? (() => new Date());
  const costOfSaved = options.costOfSaved ?? savedCostFromPrices(options.prices);

  /** Policy and key of a call, or undefined when it must go straight upstream. */
  function plan(
    params: Parameters<NonNullable<LanguageModelV3Middleware['wrapGenerate']>>[0]['params'],
    model: LanguageModelV3,
  ) {
    const ref: CachedModelRef = { provider: model.provider, modelId: model.modelId };
    const group = llmStatsGroup(ref);
    const { context, problem } = readCacheContext(params.providerOptions);
    if (problem) warnings.warn('context', `ignored invalid cache context: ${problem}`);
    const decision = decideCachePolicy(policy, context, params);
    if (!decision.use) {
      stats.record(group, { bypassed: 1 });
      return undefined;
    }
    try {
      const key = llmCacheKey(ref.provider, ref.modelId, params).key;
      return { ref, group, decision, key, executionId: context.executionId };
    } catch (error) {
      // A request the canonical form cannot describe is simply not cached.
      warnings.warn('key', `a request could not be keyed (${(error as Error).message}); not cached`);
      stats.record(group, { bypassed: 1 });
      return undefined;
    }
  }

  type PlannedCall = NonNullable<ReturnType<typeof plan>>;

  function tell(call: PlannedCall, entry: string, hit: boolean): void {
    if (!options.onEntry) return;
    try {
      options.onEntry({
        key: call.key,
        entry,
        ttlSeconds: Math.round(call.decision.ttlMs / 1000),
        hit,
        ...(call.executionId === undefined ? {} : { executionId: call.executionId }),
      });
    } catch (error) {
      warnings.warn('on-entry', `the cache entry listener failed (${(error as Error).message})`);
    }
  }

  function hitFor(call: PlannedCall, entry: LlmCacheEntry): CacheHitMetadata {
    const { ref, group, key } = call;
    if (options.onEntry) tell(call, encodeLlmEntry(entry), true);
    const savedCostUsd = costOfSaved(ref, entry.usage);
    stats.record(group, {
      hits: 1,
      inputTokensSaved: entry.usage.inputTokens,
      outputTokensSaved: entry.usage.outputTokens,
      costSavedUsd: savedCostUsd ?? 0,
    });
    return {
      cacheHit: true,
      cacheKey: key,
      cachedAt: entry.createdAt,
      savedUsage: entry.usage,
      ...(savedCostUsd === undefined ? {} : { savedCostUsd }),
    };
  }

  async function completeSafely(call: PlannedCall, lease: FlightLease, entry: LlmCacheEntry | undefined) {
    if (entry === undefined) return lease.abandon();
    let text: string;
    try {
      text = encodeLlmEntry(entry);
    } catch (error) {
      warnings.warn('encode', `an answer could not be encoded for the cache (${(error as Error).message})`);
      return lease.abandon();
    }
    await lease.complete(text, call.decision.ttlMs);
    tell(call, text, false);
  }

  /** The stored answer, or (counted as a miss) the lease to produce it under single-flight. */
  async function lookUp(call: PlannedCall, signal: AbortSignal | undefined) {
    const found = await flights.find({
      key: call.key,
      group: call.group,
      ...LLM_ENTRY_READER,
      ...(signal ? { signal } : {}),
    });
    if (found.kind !== 'hit') stats.record(call.group, { misses: 1 });
    return found;
  }

  const middleware: LanguageModelV3Middleware = {
    specificationVersion: 'v3',

    async wrapGenerate({ doGenerate, params, model }): Promise<LanguageModelV3GenerateResult> {
      const call = plan(params, model);
      if (call === undefined) return doGenerate();
      const found = await lookUp(call, params.abortSignal);
      if (found.kind === 'hit') {
        return generateResultFromEntry(found.value, hitFor(call, found.value));
      }
      let result: LanguageModelV3GenerateResult;
      try {
        result = await doGenerate();
      } catch (error) {
        await found.lease.abandon();
        throw error;
      }
      const storable = result.finishReason.unified !== 'error';
      const entry: LlmCacheEntry | undefined = storable
        ? {
            format: LLM_ENTRY_FORMAT,
            kind: 'generate',
            provider: call.ref.provider,
            modelId: call.ref.modelId,
            createdAt: now().toISOString(),
            usage: savedUsageOf(result.usage),
            generate: {
              content: result.content,
              finishReason: result.finishReason,
              usage: result.usage,
              ...(result.providerMetadata ? { providerMetadata: result.providerMetadata } : {}),
              ...(result.response
                ? {
                    response: {
                      id: result.response.id,
                      timestamp: result.response.timestamp,
                      modelId: result.response.modelId,
                    },
                  }
                : {}),
              warnings: result.warnings,
            },
          }
        : undefined;
      await completeSafely(call, found.lease, entry);
      return result;
    },

    async wrapStream({ doStream, params, model }): Promise<LanguageModelV3StreamResult> {
      const call = plan(params, model);
      if (call === undefined) return doStream();
      const found = await lookUp(call, params.abortSignal);
      if (found.kind === 'hit') {
        return streamResultFromEntry(found.value, hitFor(call, found.value));
      }
      const lease = found.lease;
      let upstream: LanguageModelV3StreamResult;
      try {
        upstream = await doStream();
      } catch (error) {
        await lease.abandon();
        throw error;
      }
      const reader = upstream.stream.getReader();
      const parts: LanguageModelV3StreamPart[] = [];
      let failed = false;
      const finalize = async () => {
        const finish = parts.find((part) => part.type === 'finish');
        // Only a completed, error-free stream is stored: a cut-off answer must never be replayed.
        if (failed || finish === undefined || finish.finishReason.unified === 'error') return lease.abandon();
        return completeSafely(call, lease, {
          format: LLM_ENTRY_FORMAT,
          kind: 'stream',
          provider: call.ref.provider,
          modelId: call.ref.modelId,
          createdAt: now().toISOString(),
          usage: savedUsageOf(finish.usage),
          parts,
        });
      };
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        async pull(controller) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            await lease.abandon();
            controller.error(error);
            return;
          }
          if (next.done) {
            await finalize();
            controller.close();
            return;
          }
          if (next.value.type === 'error') failed = true;
          parts.push(next.value);
          controller.enqueue(next.value);
        },
        async cancel(reason) {
          await lease.abandon();
          await reader.cancel(reason);
        },
      });
      return { ...upstream, stream };
    },
  };

  return {
    store: options.store,
    stats,
    flights,
    middleware,
    wrap: (model) => wrapLanguageModel({ model, middleware }),
    flush: () => stats.flush(),
  };
}
