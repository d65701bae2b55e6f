// Token and cost accounting shared by task nodes, model calls and PTC results.
import { z } from 'zod';

export const TokenUsageSchema = z
  .object({
    inputTokens: z.number().int().nonnegative().default(0),
    outputTokens: z.number().int().nonnegative().default(0),
    /** Input tokens served from the provider's prompt cache or from our response cache. */
    cachedInputTokens: z.number().int().nonnegative().default(0),
    costUsd: z.number().nonnegative().default(0),
  })
  .strict();
export type TokenUsage = z.output<typeof TokenUsageSchema>;

export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}
