// Price table per model (USD per million tokens) and the cost of a call; config `llm.prices` overrides it.
import type { z } from 'zod';
import type { ModelPriceSchema } from '../config/sections/llm.js';

export type ModelPrice = z.output<typeof ModelPriceSchema>;
/** Keyed by model id as users write it, `anthropic:claude-sonnet-4-5`. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * List prices of a few well-known models (published rates, late 2025). Providers change them: a deployment
 * that bills differently sets `llm.prices` instead of relying on these.
 */
export const DEFAULT_PRICES: PriceTable = {
  'anthropic:claude-opus-4-5': {
    inputPerMillionUsd: 5,
    outputPerMillionUsd: 25,
    cachedInputPerMillionUsd: 0.5,
  },
  'anthropic:claude-opus-4-1': {
    inputPerMillionUsd: 15,
    outputPerMillionUsd: 75,
    cachedInputPerMillionUsd: 1.5,
  },
  'anthropic:claude-sonnet-4-5': {
    inputPerMillionUsd: 3,
    outputPerMillionUsd: 15,
    cachedInputPerMillionUsd: 0.3,
  },
  'anthropic:claude-sonnet-4': {
    inputPerMillionUsd: 3,
    outputPerMillionUsd: 15,
    cachedInputPerMillionUsd: 0.3,
  },
  'anthropic:claude-haiku-4-5': {
    inputPerMillionUsd: 1,
    outputPerMillionUsd: 5,
    cachedInputPerMillionUsd: 0.1,
  },
  'anthropic:claude-3-5-haiku-latest': {
    inputPerMillionUsd: 0.8,
    outputPerMillionUsd: 4,
    cachedInputPerMillionUsd: 0.08,
  },
  'openai:gpt-5': { inputPerMillionUsd: 1.25, outputPerMillionUsd: 10, cachedInputPerMillionUsd: 0.125 },
  'openai:gpt-5-mini': { inputPerMillionUsd: 0.25, outputPerMillionUsd: 2, cachedInputPerMillionUsd: 0.025 },
  'openai:gpt-4.1': { inputPerMillionUsd: 2, outputPerMillionUsd: 8, cachedInputPerMillionUsd: 0.5 },
  'openai:gpt-4.1-mini': { inputPerMillionUsd: 0.4, outputPerMillionUsd: 1.6, cachedInputPerMillionUsd: 0.1 },
  'openai:gpt-4o': { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10, cachedInputPerMillionUsd: 1.25 },
  'openai:gpt-4o-mini': {
    inputPerMillionUsd: 0.15,
    outputPerMillionUsd: 0.6,
    cachedInputPerMillionUsd: 0.075,
  },
};

/** Dated snapshots (`claude-sonnet-4-5-20250929`, `gpt-4o-2024-08-06`) bill like their alias. */
const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;

/** The price of `modelId`: an override from `prices` first, then the default table; undefined when unknown. */
export function priceFor(modelId: string, prices: PriceTable = {}): ModelPrice | undefined {
  const undated = modelId.replace(DATE_SUFFIX, '');
  return prices[modelId] ?? prices[undated] ?? DEFAULT_PRICES[modelId] ?? DEFAULT_PRICES[undated];
}

interface TokenCounts {
  /** All input tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** The part of `inputTokens` read from a prompt cache. */
  cachedInputTokens?: number;
}

interface CostEstimate {
  costUsd: number;
  /** False when the model has no price: the cost is then 0, not a guess. */
  priced: boolean;
}

export function estimateCost(modelId: string, usage: TokenCounts, prices: PriceTable = {}): CostEstimate {
  const price = priceFor(modelId, prices);
  if (!price) return { costUsd: 0, priced: false };
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const cachedPrice = price.cachedInputPerMillionUsd ?? price.inputPerMillionUsd;
  const costUsd =
    ((usage.inputTokens - cached) * price.inputPerMillionUsd +
      cached * cachedPrice +
      usage.outputTokens * price.outputPerMillionUsd) /
    1_000_000;
  return { costUsd, priced: true };
}

/** Cost in USD of `usage` on `modelId`; 0 for a model without a price (see `estimateCost` for the flag). */
export function costOf(modelId: string, usage: TokenCounts, prices: PriceTable = {}): number {
  return estimateCost(modelId, usage, prices).costUsd;
}
