// A step worker on real Redis: a retryable failure is retried with backoff, a step already in the log is answered
// from it (its model call not repeated).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ScriptedRule, ScriptedTree } from '../dev/scripted-model/index.js';
import { scriptedTreeRules, taskLine } from '../dev/scripted-model/index.js';
import type { StepRequest } from '../engine/index.js';
import { solve } from '../engine/index.js';
import type { EngineKit } from '../engine/testing/engine-test-kit.js';
import { requestsAbout } from '../engine/testing/engine-test-kit.js';
import { InProcessStepsTests } from './testing/in-process-step-workers.js';
import { deleteQueueKeys, uniqueQueuePrefix } from './testing/test-redis.js';

const prefix = uniqueQueuePrefix('step-worker');
const GOAL = 'Compare two cities';
const tree: ScriptedTree = {
  goal: GOAL,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'a', goal: 'Describe the first city', taskType: 'RETRIEVE', dependencies: [] },
        { id: 'b', goal: 'Describe the second city', taskType: 'RETRIEVE', dependencies: [] },
      ],
      result: 'CITIES COMPARED',
    },
    'Describe the first city': { result: 'FIRST CITY IS OLD' },
    'Describe the second city': { result: 'SECOND CITY IS NEW' },
  },
};
/** The first executor call of the first city answers 503 (retryable); the next one answers. */
const flaky: ScriptedRule[] = [
  {
    match: { contains: ['ROMA executor', taskLine('Describe the first city')] },
    reply: { status: 503 },
    times: 1,
  },
  ...scriptedTreeRules(tree),
];

const tests = new InProcessStepsTests();
afterEach(() => tests.closeAll());
afterAll(() => deleteQueueKeys(prefix));

const open = (rules: ScriptedRule[]) =>
  tests.open(rules, { prefix, concurrency: 2, attempts: 3, backoffMs: 20, timeoutMs: 30_000 });

const executorCalls = (kitValue: EngineKit, goal: string) =>
  requestsAbout(kitValue.server.requests, 'ROMA executor', goal).length;

describe('step worker', { timeout: 60_000 }, () => {
  it('in process, a retryable model failure fails the task (positive control)', async () => {
    const kit = await tests.kit(flaky);
    const outcome = await solve(kit.deps(), { goal: GOAL });
    expect(outcome.status).toBe('FAILED');
    expect(executorCalls(kit, 'Describe the first city')).toBe(1);
  });

  it('as a job, the same failure is retried with backoff and the run completes', async () => {
    const { kit, steps } = await open(flaky);
    const outcome = await solve({ ...kit.deps(), steps }, { goal: GOAL });
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'CITIES COMPARED' });
    expect(executorCalls(kit, 'Describe the first city')).toBe(2);
    expect(executorCalls(kit, 'Describe the second city')).toBe(1);
  });

  it('answers a step already in the log from there, without calling the model', async () => {
    const { kit, steps } = await open(scriptedTreeRules(tree));
    const executionId = `run-step-log-${Date.now()}`;
    await kit.store.createExecution({ id: executionId, goal: GOAL });
    const stamp = () => new Date().toISOString();
    const start = await kit.store.append({
      type: 'execution-start',
      executionId,
      timestamp: stamp(),
      goal: GOAL,
      rootTaskId: 'root',
      options: {},
    });
    const request = (segment: number, resumed: boolean): StepRequest => ({
      executionId,
      taskId: 'root.1',
      step: 'execute',
      attempt: 0,
      segment,
      resumed,
      engine: kit.config.engine as unknown as Record<string, unknown>,
      task: { goal: 'Describe the first city', taskType: 'RETRIEVE', depth: 1, parentGoal: GOAL },
      context: [],
      input: {},
    });
    const signal = new AbortController().signal;
    // Positive control: a first delivery does the step (one model call) and records it.
    const done = await steps.run(request(start.seq, false), signal);
    expect(done.output).toEqual({ result: 'FIRST CITY IS OLD' });
    expect(executorCalls(kit, 'Describe the first city')).toBe(1);
    // The run is resumed (a new segment) and asks for the same step: the log answers it.
    const again = await steps.run(request(start.seq + 100, true), signal);
    expect(again).toEqual(done);
    expect(executorCalls(kit, 'Describe the first city')).toBe(1);
    const recorded = (await kit.store.readEvents(executionId)).filter(
      (event) => event.type === 'task-step-end',
    );
    expect(recorded).toHaveLength(1);
  });
});
