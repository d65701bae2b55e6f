// Step jobs that cannot succeed by trying again fail at once, though a step job may be tried 3 times (real Redis,
// step workers in this process): a plan still invalid after its re-ask, a budget spent over the workers. A model
// 503 is tried again (the control).
import { Queue } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ScriptedRule, ScriptedTree } from '../dev/scripted-model/index.js';
import { scriptedTreeRules, taskLine } from '../dev/scripted-model/index.js';
import type { StepRequest } from '../engine/index.js';
import { solve, stepKey } from '../engine/index.js';
import type { EngineKit } from '../engine/testing/engine-test-kit.js';
import { requestsAbout } from '../engine/testing/engine-test-kit.js';
import { STEP_QUEUE_NAME } from './step-job.js';
import { InProcessStepsTests } from './testing/in-process-step-workers.js';
import { deleteQueueKeys, TEST_REDIS_URL, uniqueQueuePrefix } from './testing/test-redis.js';

const prefix = uniqueQueuePrefix('step-unrecoverable');
const ATTEMPTS = 3;
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
const plannerOf = (goal: string) => ({ contains: ['ROMA planner.', taskLine(goal)] });

const tests = new InProcessStepsTests();
let queue: Queue | undefined;
afterEach(async () => {
  await queue?.close();
  queue = undefined;
  await tests.closeAll();
});
afterAll(() => deleteQueueKeys(prefix));

async function open(rules: ScriptedRule[]) {
  const opened = await tests.open(rules, {
    prefix,
    concurrency: 2,
    attempts: ATTEMPTS,
    backoffMs: 20,
    timeoutMs: 30_000,
  });
  queue = new Queue(STEP_QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
  return opened;
}

const planners = (kit: EngineKit) => requestsAbout(kit.server.requests, 'ROMA planner.', GOAL).length;

/** The stored job of a step of a run's first segment. */
async function stepJob(kit: EngineKit, executionId: string, taskId: string, step: StepRequest['step']) {
  const segment = (await kit.store.readEvents(executionId)).find(
    (event) => event.type === 'execution-start',
  )!.seq;
  return queue!.getJob(stepKey({ executionId, segment, taskId, step, attempt: 0 }));
}

describe('step jobs that fail for good', { timeout: 60_000 }, () => {
  it('tries a plan step again after a model 503 (positive control)', async () => {
    const { kit, steps } = await open([
      { match: plannerOf(GOAL), reply: { status: 503 }, times: 1 },
      ...scriptedTreeRules(tree),
    ]);
    const outcome = await solve({ ...kit.deps(), steps }, { goal: GOAL });
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'CITIES COMPARED' });
    expect(planners(kit)).toBe(2);
    expect((await stepJob(kit, outcome.executionId, 'root', 'plan'))?.attemptsMade).toBe(2);
  });

  it('fails a plan still invalid after its re-ask once, not once per job attempt', async () => {
    const { kit, steps } = await open([
      { match: plannerOf(GOAL), reply: { json: { subtasks: [] } } },
      ...scriptedTreeRules(tree),
    ]);
    const outcome = await solve({ ...kit.deps(), steps }, { goal: GOAL });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error?.code).toBe('PLAN_INVALID');
    // The answer and its one re-ask (engine.maxOutputRetries 1), in a single job attempt.
    expect(planners(kit)).toBe(kit.config.engine.maxOutputRetries + 1);
    const job = await stepJob(kit, outcome.executionId, 'root', 'plan');
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
  });

  it('fails a step whose run has spent its budget over the workers, without calling the model again', async () => {
    const { kit, steps } = await open(scriptedTreeRules(tree));
    const executionId = `run-step-budget-${Date.now()}`;
    await kit.store.createExecution({ id: executionId, goal: GOAL });
    const start = await kit.store.append({
      type: 'execution-start',
      executionId,
      timestamp: new Date().toISOString(),
      goal: GOAL,
      rootTaskId: 'root',
      options: {},
    });
    const engine = { ...kit.config.engine, budgets: { ...kit.config.engine.budgets, maxTokens: 1 } };
    const request = (taskId: string, goal: string): StepRequest => ({
      executionId,
      taskId,
      step: 'execute',
      attempt: 0,
      segment: start.seq,
      resumed: false,
      engine: engine as unknown as Record<string, unknown>,
      task: { goal, taskType: 'RETRIEVE', depth: 1, parentGoal: GOAL },
      context: [],
      input: {},
    });
    const signal = new AbortController().signal;
    // The run's first call goes alone while anything is left, and spends the whole budget.
    await steps.run(request('root.1', 'Describe the first city'), signal);
    await expect(steps.run(request('root.2', 'Describe the second city'), signal)).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
    });
    expect(requestsAbout(kit.server.requests, 'ROMA executor', 'Describe the second city')).toHaveLength(0);
    const job = await queue!.getJob(
      stepKey({ executionId, segment: start.seq, taskId: 'root.2', step: 'execute', attempt: 0 }),
    );
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
  });
});
