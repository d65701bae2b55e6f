// The summary's tokens line: what a run spent, and what the LLM-response cache saved it.
import { describe, expect, it } from 'vitest';
import { formatSavedShare } from './format.js';
import { tokensLine } from './summary-text.js';

const usage = (inputTokens: number, outputTokens: number, costUsd: number) => ({
  inputTokens,
  outputTokens,
  cachedInputTokens: 0,
  costUsd,
});

describe('tokens line', () => {
  it('a fully cached run: nothing spent, 100% saved, with the cost it saved', () => {
    expect(tokensLine({ usage: usage(0, 0, 0), savedUsage: usage(10_000, 2_345, 0.0042) })).toBe(
      'tokens: 0 in / 0 out · saved 12,345 tokens (100%) · $0 (saved $0.0042)',
    );
  });

  it('an uncached run: spent tokens and cost, 0% saved', () => {
    expect(tokensLine({ usage: usage(1_200, 300, 0.5), savedUsage: usage(0, 0, 0) })).toBe(
      'tokens: 1,200 in / 300 out · saved 0 tokens (0%) · $0.50',
    );
  });

  it('shows 100% only when nothing at all was spent', () => {
    expect(formatSavedShare(1, 1)).toBe('50%');
    expect(formatSavedShare(1, 2)).toBe('33.3%');
    expect(formatSavedShare(999_999, 1)).toBe('99.9%');
    expect(formatSavedShare(5, 0)).toBe('100%');
    expect(formatSavedShare(0, 0)).toBe('0%');
  });
});
