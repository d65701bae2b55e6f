// The scheduler's small parts: stop conditions, the semaphore, bounded dependency context.
import { describe, expect, it } from 'vitest';
import { boundedContext, truncateText } from './dependency-context.js';
import { Semaphore } from './semaphore.js';
import type { RunSnapshot } from './stop-conditions.js';
import {
  anyOf,
  maxCostUsd,
  maxNodes,
  maxTotalTokens,
  maxTreeDepth,
  maxWallTimeMs,
  stopConditionsFromConfig,
} from './stop-conditions.js';

const snapshot = (over: Partial<RunSnapshot> = {}): RunSnapshot => ({
  usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 },
  nodeCount: 0,
  elapsedMs: 0,
  ...over,
});

describe('stop conditions', () => {
  it('each fires at its limit with its reason', () => {
    const usage = { inputTokens: 60, outputTokens: 40, cachedInputTokens: 0, costUsd: 0.5 };
    expect(maxTotalTokens(100)(snapshot({ usage }))?.reason).toBe('max-tokens');
    expect(maxTotalTokens(101)(snapshot({ usage }))).toBeNull();
    expect(maxCostUsd(0.5)(snapshot({ usage }))?.reason).toBe('max-cost');
    expect(maxWallTimeMs(1000)(snapshot({ elapsedMs: 1000 }))?.reason).toBe('max-wall-time');
    expect(maxNodes(3)(snapshot({ nodeCount: 3, nextDepth: 1 }))?.reason).toBe('max-nodes');
    expect(maxNodes(3)(snapshot({ nodeCount: 3 }))).toBeNull();
    expect(maxTreeDepth(2)(snapshot({ nextDepth: 3 }))?.reason).toBe('max-depth');
  });

  it('compose: the first that fires wins; config builds only the budgets that are set', () => {
    const combined = anyOf(maxWallTimeMs(10), maxTotalTokens(1));
    expect(combined(snapshot({ elapsedMs: 20 }))?.reason).toBe('max-wall-time');
    const conditions = stopConditionsFromConfig({ maxDepth: 2, budgets: { maxNodes: 5, maxCostUsd: 1 } });
    expect(conditions).toHaveLength(3);
  });
});

describe('Semaphore', () => {
  it('grants at most its permits, in order, and an aborted wait leaves the queue', async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire();
    const controller = new AbortController();
    const aborted = semaphore.acquire(controller.signal);
    const second = semaphore.acquire();
    controller.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    expect(semaphore.inFlight).toBe(1);
    first();
    first();
    const release = await second;
    expect(semaphore.inFlight).toBe(1);
    release();
    expect(semaphore.inFlight).toBe(0);
  });
});

describe('dependency context', () => {
  it('cuts each result to the limit with a visible marker', () => {
    const text = 'x'.repeat(500);
    const cut = truncateText(text, 120);
    expect(cut.length).toBeLessThanOrEqual(120);
    expect(cut).toContain('[truncated');
    expect(boundedContext([{ taskId: 't', goal: 'g', result: text }], 120)[0]?.result).toBe(cut);
    expect(truncateText('short', 120)).toBe('short');
  });
});
