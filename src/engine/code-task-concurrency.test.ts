// CODE tasks and `engine.maxConcurrency`: the limit counts model calls, the code agent's included; overrides apply once.
import { afterEach, describe, expect, it } from 'vitest';
import type {
  CodeAgent,
  CodeAgentExecuteOptions,
  PTCArtifactResult,
  PTCExecutionPlan,
} from '../contracts/index.js';
import { scriptedTreeRules, taskLine } from '../dev/scripted-model/index.js';
import { solve } from './run/execution.js';
import type { EngineKit } from './testing/engine-test-kit.js';
import { createEngineKit, taskEnd } from './testing/engine-test-kit.js';

const GOAL = 'Measure and reflect';
const TREE = {
  goal: GOAL,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'a', goal: 'Run a program', taskType: 'CODE' as const, dependencies: [] },
        { id: 'b', goal: 'Think meanwhile', taskType: 'THINK' as const, dependencies: [] },
      ],
      result: 'MEASURED AND REFLECTED',
    },
    'Run a program': {},
    'Think meanwhile': { result: 'A THOUGHT' },
  },
};

let kit: EngineKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

function result(
  plan: PTCExecutionPlan,
  status: PTCArtifactResult['status'],
  summary: string,
): PTCArtifactResult {
  const now = new Date().toISOString();
  return {
    planId: plan.planId,
    taskId: plan.taskId,
    status,
    summary,
    artifacts: [],
    executions: [],
    testResults: [],
    toolCalls: [],
    iterationsUsed: 1,
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 },
    fromCache: false,
    cacheKey: null,
    error: status === 'SUCCESS' ? null : { code: 'TIMEOUT', message: summary },
    startedAt: now,
    completedAt: now,
  };
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

describe('engine: maxConcurrency counts model calls, a CODE task holds no slot while its program runs', () => {
  it('lets a sibling call the model while the code agent runs its program (maxConcurrency 1)', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const server = kit.server;
    const slotsTaken: string[] = [];
    const agent: CodeAgent = {
      takesModelCallSlots: true,
      async execute(plan, options: CodeAgentExecuteOptions) {
        if (!options.acquireModelCallSlot) return result(plan, 'FAILURE', 'no model-call slots offered');
        // A model turn holds a slot...
        const release = await options.acquireModelCallSlot(options.signal);
        slotsTaken.push('turn 1');
        release();
        // ...the program run holds none: the sibling's model call gets through meanwhile.
        const siblingCalled = await waitUntil(
          () => server.requests.some((request) => request.text.includes(taskLine('Think meanwhile'))),
          10_000,
        );
        if (!siblingCalled) return result(plan, 'TIMEOUT', 'the sibling never reached the model');
        const again = await options.acquireModelCallSlot(options.signal);
        slotsTaken.push('turn 2');
        again();
        return result(plan, 'SUCCESS', 'PROGRAM DONE');
      },
    };
    const outcome = await solve(kit.deps({ codeAgent: agent, engine: { maxConcurrency: 1 } }), {
      goal: GOAL,
    });
    expect(outcome.error).toBeNull();
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'MEASURED AND REFLECTED' });
    expect(slotsTaken).toEqual(['turn 1', 'turn 2']);
    const events = await kit.events(outcome.executionId);
    expect(taskEnd(events, 'root.1')?.result).toBe('PROGRAM DONE');
  });

  it('holds one slot for a whole execution of an agent whose calls it cannot count (a PTC service)', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const server = kit.server;
    let siblingDuringExecution = true;
    const agent: CodeAgent = {
      async execute(plan) {
        const before = server.requests.length;
        await new Promise((resolve) => setTimeout(resolve, 50));
        // With one slot held by this execution, no other model call can have started meanwhile.
        siblingDuringExecution = server.requests.length !== before;
        return result(plan, 'SUCCESS', 'REMOTE DONE');
      },
    };
    const outcome = await solve(kit.deps({ codeAgent: agent, engine: { maxConcurrency: 1 } }), {
      goal: GOAL,
    });
    expect(outcome.status).toBe('COMPLETED');
    expect(siblingDuringExecution).toBe(false);
  });
});

describe('engine: the task-type and executor overrides reach the PTC plan once, by one rule', () => {
  it('takes model and cache strategy from the executor settings', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const plans: PTCExecutionPlan[] = [];
    const agent: CodeAgent = {
      takesModelCallSlots: true,
      async execute(plan) {
        plans.push(plan);
        return result(plan, 'SUCCESS', 'PROGRAM DONE');
      },
    };
    const outcome = await solve(
      kit.deps({
        codeAgent: agent,
        engine: {
          modules: { executor: { cacheStrategy: 'NEVER' } },
          taskTypes: { CODE: { model: 'openai:coder' } },
        },
      }),
      { goal: GOAL },
    );
    expect(outcome.status).toBe('COMPLETED');
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ model: 'openai:coder', cacheStrategy: 'NEVER' });
  });
});
