// `roma worker --concurrency N` bounds the task steps one worker does at once: of six slow steps, N run and the
// rest wait in the queue (real Redis and PostgreSQL, a worker process, the scripted server's request log).
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedTreeRules } from '../dev/scripted-model/index.js';
import { requestsAbout } from '../engine/testing/engine-test-kit.js';
import { until } from '../engine/testing/wait.js';
import { STEP_QUEUE_NAME } from './step-job.js';
import { TEST_REDIS_URL } from './testing/test-redis.js';
import { openWorkerProcesses, type WorkerProcesses } from './testing/worker-processes.js';

const GOAL = 'Survey six slow districts';
const DISTRICTS = Array.from({ length: 6 }, (_, index) => ({
  id: `d${index}`,
  goal: `Slowly survey district ${index}`,
  taskType: 'THINK' as const,
  dependencies: [],
}));
const tree = {
  goal: GOAL,
  latencyMs: 20,
  tasks: {
    [GOAL]: { plan: DISTRICTS, result: 'NEVER' },
    ...Object.fromEntries(
      DISTRICTS.map((district) => [district.goal, { result: 'NEVER', latencyMs: 30_000 }]),
    ),
  },
};
const CONCURRENCY = 3;

let bed: WorkerProcesses;
let stepQueue: Queue;

beforeAll(async () => {
  bed = await openWorkerProcesses({
    name: 'step-concurrency',
    rules: scriptedTreeRules(tree),
    env: { ROMA_QUEUE_STEPS: 'true', ROMA_ENGINE_MAX_SUBTASKS: '8' },
    cancelPollIntervalMs: 100,
  });
  stepQueue = new Queue(STEP_QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix: bed.prefix });
}, 60_000);

afterAll(async () => {
  await stepQueue?.close();
  await bed?.close();
}, 60_000);

describe('roma worker --concurrency and task steps', { timeout: 120_000 }, () => {
  it(`does ${CONCURRENCY} steps at once, leaving the others waiting`, async () => {
    await bed.startWorker(['--concurrency', String(CONCURRENCY)]);
    const handle = bed.runtime.runs.start({ goal: GOAL });
    const running = () =>
      DISTRICTS.flatMap((district) => requestsAbout(bed.model.requests, 'ROMA executor', district.goal));
    // More than one at once (so the bound is not 1), and the queue settles with exactly N taken.
    await until(async () => {
      const counts = await stepQueue.getJobCounts('active', 'waiting');
      return (
        running().length === CONCURRENCY &&
        counts.active === CONCURRENCY &&
        counts.waiting === 6 - CONCURRENCY
      );
    }, `${CONCURRENCY} steps running and the rest waiting`);
    expect(running().length).toBe(CONCURRENCY);
    const cancelled = await bed.runtime.runs.cancel(handle.executionId, { reason: 'enough', waitMs: 15_000 });
    expect(cancelled.status).toBe('CANCELLED');
  });
});
