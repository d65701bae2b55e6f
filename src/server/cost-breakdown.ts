// Cost and tokens of a run per model and per engine module, folded from its llm-call events.
import type { StreamEvent } from '../contracts/index.js';

interface CostLine {
  calls: number;
  cacheHits: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
  savedCostUsd: number;
}

interface CostBreakdown {
  total: CostLine;
  byModel: Record<string, CostLine>;
  byModule: Record<string, CostLine>;
}

function emptyLine(): CostLine {
  return {
    calls: 0,
    cacheHits: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    costUsd: 0,
    savedCostUsd: 0,
  };
}

export function foldCosts(events: Iterable<StreamEvent>): CostBreakdown {
  const breakdown: CostBreakdown = { total: emptyLine(), byModel: {}, byModule: {} };
  for (const event of events) {
    if (event.type !== 'llm-call') continue;
    breakdown.byModel[event.model] ??= emptyLine();
    breakdown.byModule[event.module] ??= emptyLine();
    for (const line of [
      breakdown.total,
      breakdown.byModel[event.model]!,
      breakdown.byModule[event.module]!,
    ]) {
      line.calls += 1;
      if (event.cacheHit) line.cacheHits += 1;
      line.inputTokens += event.inputTokens;
      line.outputTokens += event.outputTokens;
      line.cachedInputTokens += event.cachedInputTokens;
      line.costUsd += event.costUsd;
      line.savedCostUsd += event.savedCostUsd ?? 0;
    }
  }
  return breakdown;
}
