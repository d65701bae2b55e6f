// Tokens of a rejected model answer (MODEL_OUTPUT_INVALID, then a re-ask) are recorded and count against budgets.
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedTreeRules, taskLine } from '../dev/scripted-model/index.js';
import { solve } from './run/execution.js';
import type { EngineKit } from './testing/engine-test-kit.js';
import { createEngineKit, eventsOfType } from './testing/engine-test-kit.js';

const GOAL = 'Plan a garden';
const TREE = {
  goal: GOAL,
  tasks: {
    [GOAL]: {
      plan: [{ id: 'a', goal: 'Pick the plants', taskType: 'THINK' as const, dependencies: [] }],
      result: 'GARDEN PLANNED',
    },
    'Pick the plants': { result: 'ROSES' },
  },
};
/** The planner's first answer does not parse; it is billed all the same. */
const REJECTED_PLAN = {
  name: 'rejected plan',
  times: 1,
  match: { contains: ['ROMA planner.', taskLine(GOAL)] },
  reply: { text: '{"subtasks": [ not json', usage: { inputTokens: 4_000, outputTokens: 1_000 } },
};

let kit: EngineKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe('engine: a rejected answer is paid for', () => {
  it('records its tokens and cost on the failed llm-call and in the run totals', async () => {
    kit = await createEngineKit([REJECTED_PLAN, ...scriptedTreeRules(TREE)], { pricePerMillionUsd: 10 });
    const outcome = await solve(kit.deps(), { goal: GOAL });
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'GARDEN PLANNED' });
    const events = await kit.events(outcome.executionId);
    const rejected = eventsOfType(events, 'llm-call').find((event) => !event.ok);
    expect(rejected).toMatchObject({ module: 'planner', inputTokens: 4_000, outputTokens: 1_000 });
    expect(rejected?.costUsd).toBeCloseTo(0.05, 10);
    expect(rejected?.error).toContain('MODEL_OUTPUT_INVALID');
    // The re-ask happened, and the totals hold both answers.
    expect(kit.server.requests.filter((request) => request.text.includes('ROMA planner.'))).toHaveLength(2);
    expect(outcome.usage.inputTokens).toBeGreaterThanOrEqual(4_000);
    expect(outcome.usage.costUsd).toBeGreaterThanOrEqual(0.05);
    const summary = await kit.store.getExecution(outcome.executionId);
    expect(summary?.usage).toEqual(outcome.usage);
  });

  it('stops the run at maxTokens when only the rejected answer crosses it', async () => {
    kit = await createEngineKit([REJECTED_PLAN, ...scriptedTreeRules(TREE)]);
    const outcome = await solve(kit.deps({ engine: { budgets: { maxNodes: 100, maxTokens: 3_000 } } }), {
      goal: GOAL,
    });
    expect(outcome).toMatchObject({ status: 'STOPPED', reason: 'max-tokens' });
    // The re-ask is not sent: the budget was spent on the rejected answer.
    expect(kit.server.requests.filter((request) => request.text.includes('ROMA planner.'))).toHaveLength(1);
  });

  it('stops the run at maxCostUsd when only the rejected answer crosses it', async () => {
    kit = await createEngineKit([REJECTED_PLAN, ...scriptedTreeRules(TREE)], { pricePerMillionUsd: 10 });
    const outcome = await solve(kit.deps({ engine: { budgets: { maxNodes: 100, maxCostUsd: 0.04 } } }), {
      goal: GOAL,
    });
    expect(outcome).toMatchObject({ status: 'STOPPED', reason: 'max-cost' });
  });
});
