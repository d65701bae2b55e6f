// PTC result cache: `ptc:v2:<hash of the plan>`, obeying the plan's cacheStrategy and cacheTtlSeconds.
import { z } from 'zod';
import {
  emptyUsage,
  type PTCArtifactResult,
  PTCArtifactResultSchema,
  type PTCExecutionPlan,
  parseJsonWith,
} from '../contracts/index.js';
import { type CacheLogger, stderrCacheLogger } from './cache-logger.js';
import { CacheStatsRecorder, statsGroupName } from './cache-stats.js';
import type { CacheStore, Decoded } from './cache-store.js';
import { canonicalSha256Hex } from './canonical-hash.js';
import {
  DEFAULT_SINGLE_FLIGHT,
  SingleFlightCache,
  type SingleFlightSettings,
} from './single-flight-cache.js';

const PTC_NAMESPACE = 'ptc';
// v2: the plan's hash is over the framing of `canonical-hash.ts`, no longer over its canonical JSON text.
const PTC_CACHE_VERSION = 'v2';
const PTC_ENTRY_FORMAT = 'roma-ptc-cache/1';
/** Tool data goes stale: under SMART a result that called tools is kept at most this long. */
const SMART_TOOL_TTL_SECONDS = 3_600;

/**
 * The part of a plan that decides its result. Left out: planId, executionId, taskId (which run asked),
 * cacheStrategy and cacheTtlSeconds (how to cache, not what), the taskId of each dependency (its goal and
 * result are what the model sees), and metadata except `feedback` (a verifier's feedback changes the prompt;
 * taskType, depth and attempt are bookkeeping). `mode` is the agent's mode (`code` or `direct`); `model` is
 * the resolved model id, so a plan without one still keys by the model that will answer it.
 */
function ptcPlanIdentity(plan: PTCExecutionPlan, mode: string, defaultModelId?: string): unknown {
  return {
    mode,
    goal: plan.goal,
    context: plan.context.map((entry) => ({ goal: entry.goal, result: entry.result })),
    language: plan.language,
    tools: plan.tools,
    sandbox: plan.sandbox,
    limits: plan.limits,
    enableTesting: plan.enableTesting,
    model: plan.model ?? defaultModelId ?? null,
    feedback: plan.metadata.feedback ?? null,
  };
}

function ptcPlanHash(plan: PTCExecutionPlan, mode = 'code', defaultModelId?: string): string {
  return canonicalSha256Hex(ptcPlanIdentity(plan, mode, defaultModelId));
}

/** Store key without the store prefix; with the default `roma:` prefix it reads `roma:ptc:v2:<hash>`. */
export function ptcCacheKey(plan: PTCExecutionPlan, mode = 'code', defaultModelId?: string): string {
  return `${PTC_NAMESPACE}:${PTC_CACHE_VERSION}:${ptcPlanHash(plan, mode, defaultModelId)}`;
}

/** SMART stores SUCCESS only (tool-using results at most an hour); ALWAYS also PARTIAL_SUCCESS; NEVER nothing. */
function ptcCacheTtlSeconds(plan: PTCExecutionPlan, result: PTCArtifactResult): number | undefined {
  if (plan.cacheStrategy === 'NEVER') return undefined;
  if (plan.cacheStrategy === 'ALWAYS') {
    return result.status === 'SUCCESS' || result.status === 'PARTIAL_SUCCESS'
      ? plan.cacheTtlSeconds
      : undefined;
  }
  if (result.status !== 'SUCCESS') return undefined;
  return result.toolCalls.length > 0
    ? Math.min(plan.cacheTtlSeconds, SMART_TOOL_TTL_SECONDS)
    : plan.cacheTtlSeconds;
}

const PtcCacheEntrySchema = z
  .object({
    format: z.literal(PTC_ENTRY_FORMAT),
    createdAt: z.string().min(1),
    result: PTCArtifactResultSchema,
  })
  .strict();

interface PtcResultCacheOptions {
  /** The PTC agent's mode, part of the hash (`code` by default). */
  mode?: string;
  /** The model that answers plans without `model`; part of the hash and of the stats group. */
  defaultModelId?: string;
  maxEntryBytes?: number;
  singleFlight?: Partial<SingleFlightSettings>;
  logger?: CacheLogger;
}

interface PtcResultCache {
  keyFor(plan: PTCExecutionPlan): string;
  /** A stored result re-addressed to this plan (status CACHE_HIT, zero usage), or undefined. Never throws. */
  get(plan: PTCExecutionPlan): Promise<PTCArtifactResult | undefined>;
  /** Stores the result if the plan's strategy allows it; false when not stored. Never throws. */
  set(plan: PTCExecutionPlan, result: PTCArtifactResult): Promise<boolean>;
  /** get, else `run` once for all concurrent identical plans (across processes with Redis), then set. */
  getOrRun(
    plan: PTCExecutionPlan,
    run: () => Promise<PTCArtifactResult>,
    options?: { signal?: AbortSignal },
  ): Promise<PTCArtifactResult>;
  readonly stats: CacheStatsRecorder;
  flush(): Promise<void>;
}

export function createPtcResultCache(store: CacheStore, options: PtcResultCacheOptions = {}): PtcResultCache {
  const mode = options.mode ?? 'code';
  const stats = new CacheStatsRecorder(store);
  const flights = new SingleFlightCache({
    store,
    stats,
    logger: options.logger ?? stderrCacheLogger,
    maxEntryBytes: options.maxEntryBytes ?? 1_048_576,
    singleFlight: { ...DEFAULT_SINGLE_FLIGHT, ...options.singleFlight },
  });
  const keyFor = (plan: PTCExecutionPlan) => ptcCacheKey(plan, mode, options.defaultModelId);
  const groupFor = (plan: PTCExecutionPlan) =>
    statsGroupName(PTC_NAMESPACE, plan.model ?? options.defaultModelId ?? 'default');
  const decode = (text: string): Decoded<PTCArtifactResult> => {
    const parsed = parseJsonWith(PtcCacheEntrySchema, text, 'cached PTC result');
    return parsed.ok ? { ok: true, value: parsed.value.result } : { ok: false, problem: parsed.message };
  };

  function asHit(plan: PTCExecutionPlan, stored: PTCArtifactResult): PTCArtifactResult {
    stats.record(groupFor(plan), {
      hits: 1,
      inputTokensSaved: stored.usage.inputTokens,
      outputTokensSaved: stored.usage.outputTokens,
      costSavedUsd: stored.usage.costUsd,
    });
    const now = new Date().toISOString();
    return {
      ...stored,
      planId: plan.planId,
      taskId: plan.taskId,
      status: 'CACHE_HIT',
      fromCache: true,
      cacheKey: keyFor(plan),
      // Nothing was spent this time; the original spend belongs to the run that produced it, and is saved.
      usage: emptyUsage(),
      savedUsage: stored.usage,
      startedAt: now,
      completedAt: now,
    };
  }

  function encode(result: PTCArtifactResult): string {
    return JSON.stringify({ format: PTC_ENTRY_FORMAT, createdAt: new Date().toISOString(), result });
  }

  return {
    keyFor,
    stats,
    flush: () => stats.flush(),

    async get(plan) {
      if (plan.cacheStrategy === 'NEVER') return undefined;
      const group = groupFor(plan);
      let text: string | undefined;
      try {
        text = await store.get(keyFor(plan));
      } catch {
        stats.record(group, { errors: 1, misses: 1 });
        return undefined;
      }
      const decoded = text === undefined ? undefined : decode(text);
      if (decoded?.ok) return asHit(plan, decoded.value);
      if (decoded && !decoded.ok) {
        stats.record(group, { corrupt: 1 });
        await Promise.resolve(store.delete(keyFor(plan))).catch(() => false);
      }
      stats.record(group, { misses: 1 });
      return undefined;
    },

    async set(plan, result) {
      const ttlSeconds = ptcCacheTtlSeconds(plan, result);
      if (ttlSeconds === undefined) return false;
      return flights.put(keyFor(plan), groupFor(plan), encode(result), ttlSeconds * 1000);
    },

    async getOrRun(plan, run, runOptions = {}) {
      if (plan.cacheStrategy === 'NEVER') {
        stats.record(groupFor(plan), { bypassed: 1 });
        return run();
      }
      const group = groupFor(plan);
      const found = await flights.find({
        key: keyFor(plan),
        group,
        decode,
        ...(runOptions.signal ? { signal: runOptions.signal } : {}),
      });
      if (found.kind === 'hit') return asHit(plan, found.value);
      stats.record(group, { misses: 1 });
      let result: PTCArtifactResult;
      try {
        result = await run();
      } catch (error) {
        await found.lease.abandon();
        throw error;
      }
      const ttlSeconds = ptcCacheTtlSeconds(plan, result);
      if (ttlSeconds === undefined) await found.lease.abandon();
      else await found.lease.complete(encode(result), ttlSeconds * 1000);
      return result;
    },
  };
}
