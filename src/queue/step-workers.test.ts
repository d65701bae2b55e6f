// Task steps as BullMQ jobs taken by `roma worker` processes, on real Redis and PostgreSQL: one run's tasks spread
// over the workers, a step of a worker killed with SIGKILL redone by another (finished tasks' calls not repeated),
// and a cancel that withdraws waiting steps and aborts running ones on every worker.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../contracts/index.js';
import type { ScriptedModelServer, ScriptedTree } from '../dev/scripted-model/index.js';
import { scriptedTreeRules, taskLine } from '../dev/scripted-model/index.js';
import { requestsAbout } from '../engine/testing/engine-test-kit.js';
import { until } from '../engine/testing/wait.js';
import type { Runtime } from '../runtime/index.js';
import { STEP_QUEUE_NAME } from './step-job.js';
import { RIVERS_GOAL, riversTree } from './testing/fixture-trees.js';
import { TEST_REDIS_URL } from './testing/test-redis.js';
import {
  metricSample,
  openWorkerProcesses,
  type StartedWorker,
  type WorkerProcesses,
} from './testing/worker-processes.js';

/** Each worker serves its figures, read to see which took steps and which recovered a stalled one. */
const METRICS = ['--metrics-port', '0'];
const WIDE = 'Survey six districts';
const DISTRICTS = Array.from({ length: 6 }, (_, index) => ({
  id: `d${index}`,
  goal: `Survey district ${index}`,
  taskType: 'THINK' as const,
  dependencies: [],
}));
const RIVERS = RIVERS_GOAL;
const HALT = 'Survey six slow districts';
const SLOW_DISTRICTS = DISTRICTS.map((district) => ({ ...district, goal: `Slowly ${district.goal}` }));
const tree: ScriptedTree = {
  goal: WIDE,
  latencyMs: 50,
  tasks: {
    [WIDE]: { plan: DISTRICTS, result: 'SIX DISTRICTS SURVEYED' },
    ...Object.fromEntries(
      DISTRICTS.map((district) => [district.goal, { result: `${district.id} OK`, latencyMs: 300 }]),
    ),
    // The Yangtze is slow, so its worker can be killed while it runs.
    ...riversTree({ latencyMs: 50, yangtzeLatencyMs: 4_000 }).tasks,
    [HALT]: { plan: SLOW_DISTRICTS, result: 'NEVER' },
    ...Object.fromEntries(
      SLOW_DISTRICTS.map((district) => [district.goal, { result: 'NEVER', latencyMs: 30_000 }]),
    ),
  },
};

// Every call of this run costs exactly CALL_TOKENS, so the budget bound is exact.
const SPEND = 'Survey six costly districts';
const COSTLY = DISTRICTS.map((district) => ({ ...district, goal: `Costly ${district.goal}` }));
const CALL_TOKENS = 100;
const costlyRules = scriptedTreeRules({
  goal: SPEND,
  latencyMs: 100,
  tasks: {
    [SPEND]: { plan: COSTLY, result: 'SPENT' },
    ...Object.fromEntries(COSTLY.map((district) => [district.goal, { result: `${district.id} PAID` }])),
  },
}).map((rule) =>
  typeof rule.reply === 'function'
    ? rule
    : { ...rule, reply: { ...rule.reply, usage: { inputTokens: CALL_TOKENS - 10, outputTokens: 10 } } },
);

let bed: WorkerProcesses;
let model: ScriptedModelServer;
let runtime: Runtime;
let stepQueue: Queue;

async function metric(worker: StartedWorker, name: string): Promise<number> {
  return metricSample(await (await fetch(worker.metricsUrl!)).text(), name);
}

const live = () =>
  bed.workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);

const executorRequests = (goal: string) => requestsAbout(model.requests, 'ROMA executor', goal);

const stepEnds = (events: readonly StreamEvent[]) =>
  events.filter(
    (event): event is Extract<StreamEvent, { type: 'task-step-end' }> => event.type === 'task-step-end',
  );

beforeAll(async () => {
  bed = await openWorkerProcesses({
    name: 'steps',
    rules: [...costlyRules, ...scriptedTreeRules(tree)],
    env: { ROMA_ENGINE_MAX_SUBTASKS: '8', ROMA_QUEUE_STEPS: 'true', ROMA_QUEUE_STEP_BACKOFF_MS: '100' },
    cancelPollIntervalMs: 100,
  });
  ({ model, runtime } = bed);
  stepQueue = new Queue(STEP_QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix: bed.prefix });
  await Promise.all([bed.startWorker(METRICS), bed.startWorker(METRICS)]);
}, 120_000);

afterAll(async () => {
  await stepQueue?.close();
  await bed?.close();
}, 60_000);

describe('task steps as BullMQ jobs over roma worker processes', { timeout: 120_000 }, () => {
  it('spreads the tasks of one run over the workers, each step done once', async () => {
    const outcome = await runtime.runs.start({ goal: WIDE }).done;
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'SIX DISTRICTS SURVEYED' });
    const events = await runtime.store.readEvents(outcome.executionId);
    const ends = stepEnds(events);
    // root: atomize, plan, aggregate; each district: atomize, execute.
    expect(ends).toHaveLength(3 + DISTRICTS.length * 2);
    const byWorker = new Set(ends.map((event) => event.worker));
    expect(byWorker.size).toBe(2);
    for (const district of DISTRICTS) expect(executorRequests(district.goal)).toHaveLength(1);
    // The worker's figures: both took steps; the step queue's depth is reported.
    const taken = await Promise.all(live().map((worker) => metric(worker, 'roma_worker_steps_taken')));
    expect(taken.every((count) => count > 0)).toBe(true);
    expect(taken.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(ends.length);
    expect(await metric(live()[0]!, 'roma_queue_step_jobs{state="completed"}')).toBeGreaterThanOrEqual(
      ends.length,
    );
  });

  it('redoes the step of a worker killed with SIGKILL on another worker; finished tasks are not asked again', async () => {
    const handle = runtime.runs.start({ goal: RIVERS });
    await until(
      () => executorRequests('Measure the Yangtze').length === 1,
      'the slow step to reach the model',
    );
    let holder: string | undefined;
    await until(async () => {
      const active = await stepQueue.getJobs(['active']);
      holder = active.find((job) => job.data.taskId === 'root.3' && job.data.step === 'execute')?.processedBy;
      return holder !== undefined;
    }, 'the worker holding the slow step');
    const pid = Number(holder!.split(':').at(-1));
    const victim = bed.workers.find((worker) => worker.child.pid === pid);
    expect(victim).toBeDefined();
    victim!.child.kill('SIGKILL');
    await bed.startWorker(METRICS);
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'THREE RIVERS SURVEYED' });
    const events = await runtime.store.readEvents(outcome.executionId);
    const slow = stepEnds(events).filter((event) => event.taskId === 'root.3' && event.step === 'execute');
    expect(slow.length).toBeGreaterThanOrEqual(1);
    expect(slow.every((event) => event.worker !== holder)).toBe(true);
    // Redone, since it had not finished; the finished tasks' calls were made once.
    expect(executorRequests('Measure the Yangtze').length).toBeGreaterThanOrEqual(2);
    expect(executorRequests('Measure the Nile')).toHaveLength(1);
    expect(executorRequests('Measure the Amazon')).toHaveLength(1);
    // Some surviving worker saw the stalled step handed on.
    await until(async () => {
      const seen = await Promise.all(
        live().map((worker) => metric(worker, 'roma_worker_step_stalled_recoveries')),
      );
      return seen.some((count) => count > 0);
    }, 'a stalled step recovery in the metrics');
  });

  it('cancelling a run withdraws its waiting steps and aborts the running ones on every worker', async () => {
    const handle = runtime.runs.start({ goal: HALT });
    const running = () => SLOW_DISTRICTS.flatMap((district) => executorRequests(district.goal));
    // One step at a time per worker: as many as there are workers run, the rest wait in the queue.
    await until(() => running().length >= live().length, 'a step running on every worker');
    expect((await stepQueue.getJobCounts('waiting')).waiting).toBeGreaterThan(0);
    const result = await runtime.runs.cancel(handle.executionId, { reason: 'enough', waitMs: 15_000 });
    expect(result.status).toBe('CANCELLED');
    expect((await handle.done).status).toBe('CANCELLED');
    await until(async () => {
      const counts = await stepQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((count) => count === 0);
    }, 'no step job of the run left waiting or running');
    // Every call that had begun was cut off; the withdrawn steps never reached the model.
    await until(() => running().every((request) => request.clientAborted), 'the running calls to be aborted');
    expect(running().length).toBeGreaterThanOrEqual(2);
    expect(running().length).toBeLessThan(SLOW_DISTRICTS.length);
  });

  it('keeps a token budget over all workers: never exceeded by more than one call in flight', async () => {
    const paid = () =>
      model.requests.filter(
        (request) =>
          !request.clientAborted &&
          [SPEND, ...COSTLY.map((district) => district.goal)].some((goal) =>
            request.text.includes(taskLine(goal)),
          ),
      ).length * CALL_TOKENS;
    // Positive control: unbounded, the run spends far past the budget below.
    const free = await runtime.runs.start({ goal: SPEND }).done;
    expect(free.status).toBe('COMPLETED');
    const unbounded = paid();
    const budget = 650;
    expect(unbounded).toBeGreaterThan(budget + 2 * CALL_TOKENS);

    model.clearRequests();
    const config = runtime.config;
    const handle = runtime.runs.start(
      { goal: SPEND },
      { config: { ...config, engine: { ...config.engine, budgets: { maxNodes: 200, maxTokens: budget } } } },
    );
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'STOPPED', reason: 'max-tokens' });
    // Steps still running when it stopped end (cut off, or answered and counted) before the spend is totalled.
    await until(async () => {
      const counts = await stepQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((count) => count === 0);
    }, 'no step job of the run left waiting or running');
    const spent = paid();
    expect(spent).toBeGreaterThanOrEqual(budget);
    expect(spent).toBeLessThanOrEqual(budget + CALL_TOKENS);
    const events = await runtime.store.readEvents(outcome.executionId);
    const logged = events
      .filter((event): event is Extract<StreamEvent, { type: 'llm-call' }> => event.type === 'llm-call')
      .reduce((sum, event) => sum + event.inputTokens + event.outputTokens, 0);
    expect(logged).toBeLessThanOrEqual(budget + CALL_TOKENS);
  });
});
