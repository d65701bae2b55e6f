// The figures of one model call as an `llm-call` event records them, shared by the engine and the PTC agent.
import type { ModelCallResult } from './types.js';

interface ModelCallFigures {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
  cacheHit: boolean;
  savedInputTokens: number;
  savedOutputTokens: number;
  savedCostUsd: number;
  durationMs: number;
}

export function modelCallFigures(result: ModelCallResult<unknown>): ModelCallFigures {
  return {
    model: result.modelId,
    inputTokens: result.usage.inputTokens,
    outputTokens: result.usage.outputTokens,
    cachedInputTokens: result.usage.cachedInputTokens,
    costUsd: result.usage.costUsd,
    cacheHit: result.cacheHit,
    // What the cache spared this call (zero on a miss): folded into the run's "tokens saved".
    savedInputTokens: result.savedUsage.inputTokens,
    savedOutputTokens: result.savedUsage.outputTokens,
    savedCostUsd: result.savedUsage.costUsd,
    durationMs: result.durationMs,
  };
}
