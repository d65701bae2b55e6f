// Cost of a call from the price table: per million tokens, cached input at its own rate, unknown models unpriced.
import { describe, expect, it } from 'vitest';
import { costOf, DEFAULT_PRICES, estimateCost, priceFor } from './index.js';

describe('prices', () => {
  it('computes cost per million tokens', () => {
    // claude-sonnet-4-5: $3 in, $15 out per million.
    expect(
      costOf('anthropic:claude-sonnet-4-5', { inputTokens: 1_000_000, outputTokens: 100_000 }),
    ).toBeCloseTo(4.5);
    expect(costOf('openai:gpt-4o-mini', { inputTokens: 10_000, outputTokens: 1_000 })).toBeCloseTo(0.0021);
  });

  it('charges cached input tokens at the cached rate', () => {
    const cost = costOf('anthropic:claude-sonnet-4-5', {
      inputTokens: 1_000_000,
      cachedInputTokens: 500_000,
      outputTokens: 0,
    });
    expect(cost).toBeCloseTo(500_000 * 3e-6 + 500_000 * 0.3e-6);
  });

  it('prices dated snapshots like their alias', () => {
    expect(priceFor('anthropic:claude-sonnet-4-5-20250929')).toEqual(
      DEFAULT_PRICES['anthropic:claude-sonnet-4-5'],
    );
    expect(priceFor('openai:gpt-4o-2024-08-06')).toEqual(DEFAULT_PRICES['openai:gpt-4o']);
  });

  it('lets overrides win and prices unknown models at 0 with priced:false', () => {
    const overrides = { 'openai:my-model': { inputPerMillionUsd: 1, outputPerMillionUsd: 1 } };
    expect(estimateCost('openai:my-model', { inputTokens: 2_000_000, outputTokens: 0 }, overrides)).toEqual({
      costUsd: 2,
      priced: true,
    });
    expect(estimateCost('openai:nobody-knows', { inputTokens: 5, outputTokens: 5 })).toEqual({
      costUsd: 0,
      priced: false,
    });
  });
});
