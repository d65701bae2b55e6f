// Prices what a hit saved, with the model layer's price table (`llm.prices` over the defaults).
import { estimateCost, type PriceTable } from '../llm/index.js';
import type { SavedUsage } from './llm-cache-entry.js';

export interface CachedModelRef {
  /** The AI SDK provider name, `openai.chat`, `anthropic.messages`. */
  provider: string;
  /** The provider's model name, `gpt-4o-mini`. */
  modelId: string;
}

/** Prices the original usage of a hit; undefined when the model has no known price. */
export type SavedCostFunction = (model: CachedModelRef, usage: SavedUsage) => number | undefined;

/** `openai.chat` + `gpt-4o` → the ids the price table may know it by: `openai:gpt-4o`, `openai-compatible:gpt-4o`. */
function romaModelIdsOf(model: CachedModelRef): string[] {
  const family = model.provider.split('.')[0] ?? model.provider;
  const ids = [`${family}:${model.modelId}`];
  if (family === 'openai') ids.push(`openai-compatible:${model.modelId}`);
  return ids;
}

export function savedCostFromPrices(prices: PriceTable = {}): SavedCostFunction {
  return (model, usage) => {
    for (const modelId of romaModelIdsOf(model)) {
      const estimate = estimateCost(modelId, usage, prices);
      if (estimate.priced) return estimate.costUsd;
    }
    return undefined;
  };
}
