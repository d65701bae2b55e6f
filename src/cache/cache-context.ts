// Per-call cache context: read from `providerOptions.roma` of a model call, or from an async-local scope.
import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import { CacheStrategySchema, EngineModuleSchema, parseWith, TaskTypeSchema } from '../contracts/index.js';
import type { CacheCallContext } from './cache-policy.js';

/** The provider-options key the middleware reads; providers ignore keys that are not theirs. */
export const ROMA_PROVIDER_OPTIONS_KEY = 'roma';

/** `providerOptions.roma` of a model call. Unknown members (taskId…) are allowed and ignored. */
const RomaProviderOptionsSchema = z.looseObject({
  module: EngineModuleSchema.optional(),
  taskType: TaskTypeSchema.optional(),
  cacheStrategy: CacheStrategySchema.optional(),
  cacheTtlSeconds: z.number().int().positive().optional(),
  executionId: z.string().min(1).optional(),
});

const scope = new AsyncLocalStorage<CacheCallContext>();

/** Runs `action` with a cache context every model call inside it sees (unless its providerOptions say otherwise). */
export function runWithCacheContext<T>(context: CacheCallContext, action: () => T): T {
  return scope.run({ ...scope.getStore(), ...context }, action);
}

function currentCacheContext(): CacheCallContext | undefined {
  return scope.getStore();
}

type ReadCacheContextResult = { context: CacheCallContext; problem?: string };

/** Scope first, then `providerOptions.roma` on top; an invalid `roma` member is reported and ignored. */
export function readCacheContext(
  providerOptions: Record<string, unknown> | undefined,
): ReadCacheContextResult {
  const base = currentCacheContext() ?? {};
  const raw = providerOptions?.[ROMA_PROVIDER_OPTIONS_KEY];
  if (raw === undefined) return { context: base };
  const parsed = parseWith(RomaProviderOptionsSchema, raw, 'providerOptions.roma');
  if (!parsed.ok) return { context: base, problem: parsed.message };
  const { module, taskType, cacheStrategy, cacheTtlSeconds, executionId } = parsed.value;
  const context: CacheCallContext = { ...base };
  if (module !== undefined) context.module = module;
  if (taskType !== undefined) context.taskType = taskType;
  if (cacheStrategy !== undefined) context.cacheStrategy = cacheStrategy;
  if (cacheTtlSeconds !== undefined) context.cacheTtlSeconds = cacheTtlSeconds;
  if (executionId !== undefined) context.executionId = executionId;
  return { context };
}
