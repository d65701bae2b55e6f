// PTC results cached by plan hash, following the plan's cacheStrategy (ALWAYS, SMART, NEVER).

import type { CacheStore } from '../../cache/cache-store.js';
import type { PTCArtifactResult, PTCExecutionPlan } from '../../contracts/index.js';
import { emptyUsage, PTCArtifactResultSchema, parseJsonWith } from '../../contracts/index.js';

/** Tool data goes stale: SMART keeps a tool-using result at most this long. */
const SMART_TOOL_TTL_SECONDS = 3_600;

export function shouldReadCache(plan: PTCExecutionPlan): boolean {
  return plan.cacheStrategy !== 'NEVER';
}

/** ALWAYS stores SUCCESS and PARTIAL_SUCCESS; SMART stores SUCCESS only; NEVER stores nothing. */
export function cacheTtlSecondsFor(plan: PTCExecutionPlan, result: PTCArtifactResult): number | null {
  if (plan.cacheStrategy === 'NEVER') return null;
  if (plan.cacheStrategy === 'ALWAYS') {
    return result.status === 'SUCCESS' || result.status === 'PARTIAL_SUCCESS' ? plan.cacheTtlSeconds : null;
  }
  if (result.status !== 'SUCCESS') return null;
  return result.toolCalls.length > 0
    ? Math.min(plan.cacheTtlSeconds, SMART_TOOL_TTL_SECONDS)
    : plan.cacheTtlSeconds;
}

export async function readCachedResult(
  cache: CacheStore,
  key: string,
  plan: PTCExecutionPlan,
): Promise<PTCArtifactResult | null> {
  const stored = await cache.get(key);
  if (stored === undefined) return null;
  const parsed = parseJsonWith(PTCArtifactResultSchema, stored, 'cached PTC result');
  if (!parsed.ok) return null;
  const now = new Date().toISOString();
  return {
    ...parsed.value,
    planId: plan.planId,
    taskId: plan.taskId,
    status: 'CACHE_HIT',
    fromCache: true,
    cacheKey: key,
    // Nothing was spent this time; the original spend is in the run that produced it.
    usage: emptyUsage(),
    startedAt: now,
    completedAt: now,
  };
}

export async function writeCachedResult(
  cache: CacheStore,
  key: string,
  plan: PTCExecutionPlan,
  result: PTCArtifactResult,
): Promise<boolean> {
  const ttlSeconds = cacheTtlSecondsFor(plan, result);
  if (ttlSeconds === null) return false;
  await cache.set(key, JSON.stringify(result), { ttlMs: ttlSeconds * 1000 });
  return true;
}
