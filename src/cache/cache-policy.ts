// Cache policy: whether one model call may be read from / written to the cache, and for how long.
import type { CacheStrategy, EngineModule, TaskType } from '../contracts/index.js';

export interface CacheRuleInput {
  strategy?: CacheStrategy;
  ttlSeconds?: number;
}

/** The policy knobs of the cache config section (`cache.*`). */
export interface CachePolicyConfig {
  strategy: CacheStrategy;
  /** TTL of deterministic entries. */
  ttlSeconds: number;
  /** TTL of non-deterministic entries (stored only under ALWAYS). */
  nonDeterministicTtlSeconds: number;
  modules?: Partial<Record<EngineModule, CacheRuleInput>>;
  taskTypes?: Partial<Record<TaskType, CacheRuleInput>>;
}

/** What a caller says about one call: who makes it, and optionally a strategy/TTL that wins over config. */
export interface CacheCallContext {
  module?: EngineModule;
  taskType?: TaskType;
  cacheStrategy?: CacheStrategy;
  cacheTtlSeconds?: number;
  /** The run the call belongs to, so a run recorder can keep its entries for `roma cache warm --from-run`. */
  executionId?: string;
}

interface CacheDecision {
  /** False: go straight upstream, neither read nor write (NEVER, or SMART on a non-deterministic call). */
  use: boolean;
  strategy: CacheStrategy;
  deterministic: boolean;
  ttlMs: number;
}

export const DEFAULT_CACHE_POLICY: CachePolicyConfig = {
  strategy: 'SMART',
  ttlSeconds: 7 * 24 * 3600,
  nonDeterministicTtlSeconds: 3600,
};

/** Temperature 0 or a fixed seed: the same request should give the same answer. */
function isDeterministicRequest(request: { temperature?: number; seed?: number }): boolean {
  return request.temperature === 0 || request.seed !== undefined;
}

/**
 * Precedence, most specific first: the call's own `cacheStrategy`/`cacheTtlSeconds`, the task type's rule,
 * the module's rule, the section's defaults.
 */
export function decideCachePolicy(
  config: CachePolicyConfig,
  context: CacheCallContext,
  request: { temperature?: number; seed?: number },
): CacheDecision {
  const taskRule = context.taskType ? config.taskTypes?.[context.taskType] : undefined;
  const moduleRule = context.module ? config.modules?.[context.module] : undefined;
  const strategy = context.cacheStrategy ?? taskRule?.strategy ?? moduleRule?.strategy ?? config.strategy;
  const deterministic = isDeterministicRequest(request);
  const use = strategy === 'ALWAYS' || (strategy === 'SMART' && deterministic);
  const ruleTtl = context.cacheTtlSeconds ?? taskRule?.ttlSeconds ?? moduleRule?.ttlSeconds;
  const ttlSeconds = ruleTtl ?? (deterministic ? config.ttlSeconds : config.nonDeterministicTtlSeconds);
  return { use, strategy, deterministic, ttlMs: ttlSeconds * 1000 };
}
