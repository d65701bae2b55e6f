// PTC result cache: plan hashing, the plan's strategy and TTL, corrupt entries, single-flight of plan runs.
import { describe, expect, it } from 'vitest';
import {
  type PTCArtifactResult,
  PTCArtifactResultSchema,
  type PTCExecutionPlan,
  type PTCExecutionPlanInput,
  PTCExecutionPlanSchema,
} from '../contracts/index.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import { createPtcResultCache, ptcCacheKey } from './ptc-result-cache.js';

function plan(overrides: Partial<PTCExecutionPlanInput> = {}): PTCExecutionPlan {
  return PTCExecutionPlanSchema.parse({
    planId: 'exec-1/root.1',
    executionId: 'exec-1',
    taskId: 'root.1',
    goal: 'sum the numbers 1 to 10',
    ...overrides,
  });
}

function result(forPlan: PTCExecutionPlan, overrides: Partial<PTCArtifactResult> = {}): PTCArtifactResult {
  return PTCArtifactResultSchema.parse({
    planId: forPlan.planId,
    taskId: forPlan.taskId,
    status: 'SUCCESS',
    summary: '55',
    iterationsUsed: 1,
    usage: { inputTokens: 300, outputTokens: 80, costUsd: 0.002 },
    startedAt: '2026-01-01T00:00:00.000Z',
    completedAt: '2026-01-01T00:00:01.000Z',
    ...overrides,
  });
}

const quiet = { logger: { warn: () => {} } };

describe('PTC plan key', () => {
  it('ignores which run and task asked, and how to cache', () => {
    const base = plan();
    const other = plan({
      planId: 'exec-2/root.7',
      executionId: 'exec-2',
      taskId: 'root.7',
      cacheStrategy: 'ALWAYS',
      cacheTtlSeconds: 60,
      metadata: { taskType: 'CODE', depth: 3, attempt: 0 },
      context: [],
    });
    expect(ptcCacheKey(other)).toBe(ptcCacheKey(base));
    expect(ptcCacheKey(base)).toMatch(/^ptc:v2:[0-9a-f]{64}$/);
  });

  it('changes with everything that changes the result', () => {
    const base = ptcCacheKey(plan());
    const variants: Array<Partial<PTCExecutionPlanInput>> = [
      { goal: 'sum the numbers 1 to 11' },
      { context: [{ taskId: 'a', goal: 'find numbers', result: '1..10' }] },
      { language: 'python' },
      { tools: { servers: [{ name: 'memory' }] } },
      { sandbox: { provider: 'isolate', timeoutMs: 5_000, memoryMb: 256 } },
      { limits: { maxIterations: 2, maxOutputChars: 20_000, tokenBudget: 200_000 } },
      { enableTesting: true },
      { model: 'openai:gpt-4o' },
      { metadata: { feedback: 'the verifier said: show your work' } },
    ];
    const keys = variants.map((variant) => ptcCacheKey(plan(variant)));
    expect(new Set([base, ...keys]).size).toBe(variants.length + 1);
    expect(ptcCacheKey(plan(), 'direct')).not.toBe(base);
    expect(ptcCacheKey(plan(), 'code', 'openai:gpt-4o')).toBe(ptcCacheKey(plan({ model: 'openai:gpt-4o' })));
  });
});

describe('createPtcResultCache', () => {
  it('returns a stored result re-addressed to the asking plan, as a zero-cost CACHE_HIT', async () => {
    const store = new MemoryCacheStore();
    const cache = createPtcResultCache(store, quiet);
    const first = plan();
    expect(await cache.get(first)).toBeUndefined();
    expect(await cache.set(first, result(first))).toBe(true);
    const asking = plan({ planId: 'exec-2/root.3', executionId: 'exec-2', taskId: 'root.3' });
    const hit = await cache.get(asking);
    expect(hit).toMatchObject({
      planId: 'exec-2/root.3',
      taskId: 'root.3',
      status: 'CACHE_HIT',
      fromCache: true,
      summary: '55',
      cacheKey: cache.keyFor(asking),
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    });
    await cache.flush();
    expect((await store.readCounters('ptc:'))['ptc:default']).toMatchObject({
      hits: 1,
      misses: 1,
      stores: 1,
      inputTokensSaved: 300,
      outputTokensSaved: 80,
      costSavedUsd: 0.002,
    });
  });

  it('obeys the plan: NEVER stores nothing, SMART only successes, ALWAYS partial ones too', async () => {
    const store = new MemoryCacheStore();
    const cache = createPtcResultCache(store, quiet);
    const never = plan({ cacheStrategy: 'NEVER' });
    expect(await cache.set(never, result(never))).toBe(false);
    const smart = plan({ goal: 'smart goal' });
    expect(await cache.set(smart, result(smart, { status: 'PARTIAL_SUCCESS' }))).toBe(false);
    expect(await cache.set(smart, result(smart, { status: 'FAILURE' }))).toBe(false);
    const always = plan({ goal: 'always goal', cacheStrategy: 'ALWAYS' });
    expect(await cache.set(always, result(always, { status: 'PARTIAL_SUCCESS' }))).toBe(true);
    expect(await cache.set(always, result(always, { status: 'TIMEOUT' }))).toBe(false);
  });

  it('uses the plan TTL, shortened for tool-using SMART results', async () => {
    let now = 1_000_000;
    const store = new MemoryCacheStore({ now: () => now });
    const cache = createPtcResultCache(store, quiet);
    const short = plan({ cacheTtlSeconds: 10 });
    await cache.set(short, result(short));
    const tools = plan({ goal: 'with tools', cacheTtlSeconds: 86_400 });
    await cache.set(
      tools,
      result(tools, {
        toolCalls: [{ server: 'memory', tool: 'read_graph', durationMs: 3, ok: true, resultBytes: 10 }],
      }),
    );
    now += 11_000;
    expect(await cache.get(short)).toBeUndefined();
    expect(await cache.get(tools)).toBeDefined();
    now += 3_600_000;
    expect(await cache.get(tools)).toBeUndefined();
  });

  it('treats a corrupt entry as a miss, deletes and counts it', async () => {
    const store = new MemoryCacheStore();
    const cache = createPtcResultCache(store, quiet);
    const target = plan();
    store.set(cache.keyFor(target), '{"format":"roma-ptc-cache/1","result":{"status":"BOGUS"}}');
    expect(await cache.get(target)).toBeUndefined();
    expect(store.get(cache.keyFor(target))).toBeUndefined();
    await cache.flush();
    expect((await store.readCounters('ptc:'))['ptc:default']?.corrupt).toBe(1);
  });

  it('runs a plan once for concurrent identical requests', async () => {
    const store = new MemoryCacheStore();
    const cache = createPtcResultCache(store, quiet);
    let runs = 0;
    const run = (asking: PTCExecutionPlan) => async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return result(asking);
    };
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, index) => {
        const asking = plan({ taskId: `t${index}`, planId: `p${index}` });
        return cache.getOrRun(asking, run(asking));
      }),
    );
    expect(runs).toBe(1);
    expect(results.filter((item) => item.status === 'CACHE_HIT')).toHaveLength(4);
    expect(results.map((item) => item.taskId)).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });
});
