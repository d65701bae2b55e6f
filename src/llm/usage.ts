// AI SDK usage figures → our TokenUsage with its cost; a cache hit costs nothing.
import type { LanguageModelUsage } from 'ai';
import type { TokenUsage } from '../contracts/index.js';
import { estimateCost, type PriceTable } from './prices.js';

export function toTokenUsage(
  usage: LanguageModelUsage | undefined,
  modelId: string,
  prices: PriceTable,
  cacheHit: boolean,
): { usage: TokenUsage; priced: boolean } {
  const counts = {
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cachedInputTokens: usage?.inputTokenDetails?.cacheReadTokens ?? usage?.cachedInputTokens ?? 0,
  };
  const { costUsd, priced } = estimateCost(modelId, counts, prices);
  return { usage: { ...counts, costUsd: cacheHit ? 0 : costUsd }, priced };
}
