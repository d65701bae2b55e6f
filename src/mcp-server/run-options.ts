// A tool call's per-run options (depth, model, budgets) applied over the runtime's config, for one run only.
import type { RomaConfig } from '../config/index.js';
import type { SolveToolInput } from '../contracts/index.js';
import type { EngineRunConfig } from '../engine/index.js';

export interface RunSettings {
  config: EngineRunConfig;
  modelId: string | undefined;
}

/**
 * `base` (the server's config, or a profile's) with the call's options over it. The call can only tighten what
 * the operator configured: budgets and depth are capped at the config's (`engine.budgets`, `engine.maxDepth`).
 */
export function runSettingsFor(base: RomaConfig, input: SolveToolInput): RunSettings {
  const budgets = { ...base.engine.budgets };
  const tighter = (limit: number | undefined, asked: number | undefined) =>
    asked === undefined ? limit : limit === undefined ? asked : Math.min(limit, asked);
  budgets.maxCostUsd = tighter(budgets.maxCostUsd, input.budgetUsd);
  budgets.maxTokens = tighter(budgets.maxTokens, input.maxTokens);
  budgets.maxWallTimeMs = tighter(budgets.maxWallTimeMs, input.maxWallTimeMs);
  for (const key of ['maxCostUsd', 'maxTokens', 'maxWallTimeMs'] as const) {
    if (budgets[key] === undefined) delete budgets[key];
  }
  return {
    config: {
      engine: {
        ...base.engine,
        maxDepth: Math.min(input.maxDepth ?? base.engine.maxDepth, base.engine.maxDepth),
        budgets,
      },
      ptc: base.ptc,
      sandbox: base.sandbox,
      cache: base.cache,
    },
    modelId: input.model,
  };
}
