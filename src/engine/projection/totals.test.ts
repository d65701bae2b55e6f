// Run totals: what the LLM-response cache and the PTC result cache saved both count as saved, not as calls.
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../contracts/index.js';
import { foldTotals } from './totals.js';

const at = (seq: number) => ({ executionId: 'e1', seq, timestamp: `2026-01-01T00:00:0${seq}.000Z` });

describe('foldTotals: saved usage', () => {
  it('adds an LLM-cache hit and a PTC result-cache hit to savedUsage; only the llm-call is a model call', () => {
    const events = [
      {
        ...at(1),
        type: 'llm-call',
        taskId: 't1',
        module: 'planner',
        model: 'openai:x',
        inputTokens: 0,
        outputTokens: 0,
        cachedInputTokens: 0,
        costUsd: 0,
        cacheHit: true,
        savedInputTokens: 100,
        savedOutputTokens: 10,
        savedCostUsd: 0.001,
        durationMs: 1,
        ok: true,
      },
      {
        ...at(2),
        type: 'ptc-cache-hit',
        taskId: 't2',
        planId: 'p2',
        cacheKey: 'ptc:v1:abc',
        savedInputTokens: 2_400,
        savedOutputTokens: 180,
        savedCostUsd: 0.01,
      },
    ] as StreamEvent[];
    const totals = foldTotals(events);
    expect(totals.modelCalls).toBe(1);
    expect(totals.cacheHits).toBe(1);
    expect(totals.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(totals.savedUsage).toMatchObject({ inputTokens: 2_500, outputTokens: 190, cachedInputTokens: 0 });
    expect(totals.savedUsage.costUsd).toBeCloseTo(0.011, 10);
    // Without the PTC hit only the LLM-cache hit is saved.
    expect(foldTotals(events.slice(0, 1)).savedUsage.inputTokens).toBe(100);
  });
});
