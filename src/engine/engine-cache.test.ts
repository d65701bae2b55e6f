// The engine behind the LLM-response cache: what a hit saved reaches the llm-call events and the run totals.
import { afterEach, describe, expect, it } from 'vitest';
import { createLlmCache, MemoryCacheStore } from '../cache/index.js';
import type { Artifact } from '../contracts/index.js';
import { scriptedTreeRules } from '../dev/scripted-model/index.js';
import { createModelRegistry } from '../llm/index.js';
import { foldTotals } from './projection/totals.js';
import { solve } from './run/execution.js';
import type { EngineKit } from './testing/engine-test-kit.js';
import { createEngineKit, eventsOfType } from './testing/engine-test-kit.js';

const GOAL = 'Bake bread';
const TREE = {
  goal: GOAL,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'a', goal: 'Mix the dough', taskType: 'THINK' as const, dependencies: [] },
        { id: 'b', goal: 'Bake the loaf', taskType: 'WRITE' as const, dependencies: ['a'] },
      ],
      result: 'BREAD',
    },
    'Mix the dough': { result: 'DOUGH' },
    'Bake the loaf': { result: 'LOAF' },
  },
};

let kit: EngineKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe('engine: LLM-response cache', () => {
  it('a repeated run is answered from the cache and reports every token and dollar as saved', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE), { pricePerMillionUsd: 1_000 });
    const cache = createLlmCache({ store: new MemoryCacheStore(), prices: kit.config.llm.prices });
    const models = createModelRegistry(kit.config.llm, { middleware: [cache.middleware] });
    const deps = { ...kit.deps(), models };

    const first = await solve(deps, { goal: GOAL });
    const upstream = kit.server.requests.length;
    const second = await solve(deps, { goal: GOAL });
    expect(second.status).toBe('COMPLETED');
    expect(second.result).toBe('BREAD');
    expect(kit.server.requests.length).toBe(upstream);

    const firstTotals = foldTotals(await kit.events(first.executionId));
    expect(firstTotals.usage.inputTokens).toBeGreaterThan(0);
    expect(firstTotals.savedUsage).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });

    const events = await kit.events(second.executionId);
    const calls = eventsOfType(events, 'llm-call');
    expect(calls.length).toBe(upstream);
    for (const call of calls) {
      expect(call).toMatchObject({ cacheHit: true, inputTokens: 0, outputTokens: 0, costUsd: 0 });
      expect(call.savedInputTokens).toBeGreaterThan(0);
    }
    const totals = foldTotals(events);
    expect(totals.cacheHits).toBe(upstream);
    expect(totals.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(totals.savedUsage.inputTokens).toBe(firstTotals.usage.inputTokens);
    expect(totals.savedUsage.outputTokens).toBe(firstTotals.usage.outputTokens);
    expect(totals.savedUsage.costUsd).toBeCloseTo(firstTotals.usage.costUsd, 10);
    expect(totals.savedUsage.costUsd).toBeGreaterThan(0);
  });

  it('records the run artifacts of deps.runArtifacts before execution-end; a failing hook is a warning', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const artifact: Artifact = {
      name: 'llm-cache.jsonl',
      mimeType: 'application/x-ndjson',
      uri: 'file:///tmp/none/llm-cache.jsonl',
      bytes: 3,
      sha256: 'a'.repeat(64),
    };
    const asked: string[] = [];
    const ok = await solve(
      {
        ...kit.deps(),
        runArtifacts: async (executionId) => {
          asked.push(executionId);
          return [artifact];
        },
      },
      { goal: GOAL },
    );
    expect(asked).toEqual([ok.executionId]);
    const events = await kit.events(ok.executionId);
    expect(events.at(-2)).toMatchObject({ type: 'artifact-created', taskId: null, artifact });
    expect(events.at(-1)?.type).toBe('execution-end');

    const failing = await solve(
      {
        ...kit.deps(),
        runArtifacts: async () => {
          throw new Error('disk full');
        },
      },
      { goal: GOAL },
    );
    expect(failing.status).toBe('COMPLETED');
    const failingEvents = await kit.events(failing.executionId);
    expect(failingEvents.at(-2)).toMatchObject({
      type: 'warning',
      code: 'RUN_ARTIFACTS_FAILED',
      message: expect.stringContaining('disk full'),
    });
  });
});
