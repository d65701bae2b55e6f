// Stop conditions: small composable functions over a snapshot of the run; the first that fires ends it cleanly.
import type { StopReason, TokenUsage } from '../../contracts/index.js';

export interface RunSnapshot {
  usage: TokenUsage;
  /** Tasks started so far (a restarted task counts once). */
  nodeCount: number;
  elapsedMs: number;
  /** Depth of the task about to start, when the check is made for one. */
  nextDepth?: number;
}

export interface StopDecision {
  reason: StopReason;
  message: string;
}

export type StopCondition = (snapshot: RunSnapshot) => StopDecision | null;

export function maxTotalTokens(limit: number): StopCondition {
  return ({ usage }) => {
    const tokens = usage.inputTokens + usage.outputTokens;
    return tokens >= limit
      ? {
          reason: 'max-tokens',
          message: `used ${tokens} tokens; the budget is ${limit} (engine.budgets.maxTokens)`,
        }
      : null;
  };
}

export function maxCostUsd(limit: number): StopCondition {
  return ({ usage }) =>
    usage.costUsd >= limit
      ? {
          reason: 'max-cost',
          message: `spent $${usage.costUsd.toFixed(4)}; the budget is $${limit} (engine.budgets.maxCostUsd, --budget-usd)`,
        }
      : null;
}

export function maxWallTimeMs(limit: number): StopCondition {
  return ({ elapsedMs }) =>
    elapsedMs >= limit
      ? {
          reason: 'max-wall-time',
          message: `ran ${Math.round(elapsedMs)} ms; the limit is ${limit} ms (engine.budgets.maxWallTimeMs)`,
        }
      : null;
}

/** Fires when starting one more task would exceed the limit. */
export function maxNodes(limit: number): StopCondition {
  return ({ nodeCount, nextDepth }) =>
    nextDepth !== undefined && nodeCount >= limit
      ? {
          reason: 'max-nodes',
          message: `the run has ${nodeCount} tasks; the limit is ${limit} (engine.budgets.maxNodes)`,
        }
      : null;
}

/** A task deeper than the limit never starts (the atomizer forces EXECUTE at the limit, so this guards resumes). */
export function maxTreeDepth(limit: number): StopCondition {
  return ({ nextDepth }) =>
    nextDepth !== undefined && nextDepth > limit
      ? { reason: 'max-depth', message: `a task at depth ${nextDepth} exceeds engine.maxDepth ${limit}` }
      : null;
}

/** The first condition that fires, in order. */
export function anyOf(...conditions: StopCondition[]): StopCondition {
  return (snapshot) => {
    for (const condition of conditions) {
      const decision = condition(snapshot);
      if (decision) return decision;
    }
    return null;
  };
}

interface BudgetSettings {
  maxDepth: number;
  budgets: {
    maxTokens?: number | undefined;
    maxCostUsd?: number | undefined;
    maxWallTimeMs?: number | undefined;
    maxNodes: number;
  };
}

/** The stop conditions the engine config asks for. */
export function stopConditionsFromConfig(config: BudgetSettings): StopCondition[] {
  const conditions: StopCondition[] = [maxTreeDepth(config.maxDepth), maxNodes(config.budgets.maxNodes)];
  if (config.budgets.maxTokens !== undefined) conditions.push(maxTotalTokens(config.budgets.maxTokens));
  if (config.budgets.maxCostUsd !== undefined) conditions.push(maxCostUsd(config.budgets.maxCostUsd));
  if (config.budgets.maxWallTimeMs !== undefined)
    conditions.push(maxWallTimeMs(config.budgets.maxWallTimeMs));
  return conditions;
}
