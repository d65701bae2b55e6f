// A step whose `roma worker` is killed with SIGKILL while the run's coordinator lives on (here, this process): the
// stall checker hands the same job to another worker, which redoes it; the run completes without a resume and no
// finished task's model call is repeated. Real Redis and PostgreSQL, worker processes, the scripted server's log.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { romaEnv } from '../cli/commands/cli-test-support.js';
import { loadConfig } from '../config/index.js';
import type { StreamEvent } from '../contracts/index.js';
import { scriptedTreeRules } from '../dev/scripted-model/index.js';
import { stepKey } from '../engine/index.js';
import { requestsAbout } from '../engine/testing/engine-test-kit.js';
import { until } from '../engine/testing/wait.js';
import { openRuntime, type Runtime } from '../runtime/index.js';
import { STEP_QUEUE_NAME } from './step-job.js';
import { RIVERS_GOAL, riversTree } from './testing/fixture-trees.js';
import { TEST_REDIS_URL } from './testing/test-redis.js';
import {
  metricSample,
  openWorkerProcesses,
  type StartedWorker,
  type WorkerProcesses,
} from './testing/worker-processes.js';

const RIVERS = RIVERS_GOAL;
// The Yangtze is slow, so its worker can be killed while it runs.
const tree = riversTree({ latencyMs: 50, yangtzeLatencyMs: 4_000 });

let bed: WorkerProcesses;
/** Coordinates runs in this process (runs are not queued), handing each step to the workers' step queue. */
let coordinator: Runtime;
let stepQueue: Queue;
let workers: StartedWorker[];

const asked = (marker: string, goal: string) => requestsAbout(bed.model.requests, marker, goal).length;

beforeAll(async () => {
  bed = await openWorkerProcesses({
    name: 'step-stall',
    rules: scriptedTreeRules(tree),
    env: { ROMA_QUEUE_STEPS: 'true', ROMA_QUEUE_STEP_BACKOFF_MS: '100' },
  });
  coordinator = await openRuntime(
    loadConfig({ cwd: bed.dataDir, env: romaEnv({ ...bed.env(), ROMA_LOG_LEVEL: 'warn' }) }),
    { logName: 'test', queueRuns: false },
  );
  stepQueue = new Queue(STEP_QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix: bed.prefix });
  workers = await Promise.all([
    bed.startWorker(['--metrics-port', '0']),
    bed.startWorker(['--metrics-port', '0']),
  ]);
}, 120_000);

afterAll(async () => {
  await stepQueue?.close();
  await coordinator?.close();
  await bed?.close();
}, 60_000);

describe('a step worker killed mid-step while its run goes on', { timeout: 120_000 }, () => {
  it('has the same step job redone by another worker; the run completes in one segment, finished calls not repeated', async () => {
    const handle = coordinator.runs.start({ goal: RIVERS });
    await until(
      () => asked('ROMA executor', 'Measure the Yangtze') === 1,
      'the slow step to reach the model',
    );
    let holder: string | undefined;
    let jobId: string | undefined;
    await until(async () => {
      const active = await stepQueue.getJobs(['active']);
      const job = active.find((each) => each.data.taskId === 'root.3' && each.data.step === 'execute');
      holder = job?.processedBy;
      jobId = job?.id;
      return holder !== undefined;
    }, 'the worker holding the slow step');
    const victim = workers.find((worker) => worker.child.pid === Number(holder!.split(':').at(-1)));
    expect(victim).toBeDefined();
    const heir = workers.find((worker) => worker !== victim)!;
    victim!.child.kill('SIGKILL');

    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'THREE RIVERS SURVEYED' });
    const events = await coordinator.store.readEvents(outcome.executionId);
    // The coordinator never stopped: the step was not asked again by a resumed run, but handed on by BullMQ.
    expect(events.filter((event) => event.type === 'execution-resume')).toHaveLength(0);
    const slow = events.filter(
      (event): event is Extract<StreamEvent, { type: 'task-step-end' }> =>
        event.type === 'task-step-end' && event.taskId === 'root.3' && event.step === 'execute',
    );
    expect(slow).toHaveLength(1);
    expect(slow[0]!.worker).not.toBe(holder);
    // The step recorded is the job the victim held (same segment and attempt), not a new one.
    const segment = events.find((event) => event.type === 'execution-start')!.seq;
    expect(jobId).toBe(stepKey({ ...slow[0]!, executionId: outcome.executionId, segment }));
    const job = await stepQueue.getJob(jobId!);
    expect(job?.stalledCounter).toBeGreaterThanOrEqual(1);
    expect(job?.processedBy).not.toBe(holder);
    // Redone, since it had not finished (positive control); the finished tasks' calls were made once.
    expect(asked('ROMA executor', 'Measure the Yangtze')).toBe(2);
    expect(asked('ROMA executor', 'Measure the Nile')).toBe(1);
    expect(asked('ROMA executor', 'Measure the Amazon')).toBe(1);
    expect(asked('ROMA atomizer.', 'Measure the Nile')).toBe(1);
    expect(asked('ROMA planner.', RIVERS)).toBe(1);
    // The survivor's figures say it handed the stalled step on.
    const text = await (await fetch(heir.metricsUrl!)).text();
    expect(metricSample(text, 'roma_worker_step_stalled_recoveries')).toBeGreaterThanOrEqual(1);
    // And the fleet's count, which the API's /metrics shows (roma_queue_step_stalled_recoveries), says so too.
    expect((await coordinator.stepQueue!.counts()).stalledRecoveries).toBeGreaterThanOrEqual(1);
    expect(metricSample(text, 'roma_queue_step_stalled_recoveries')).toBeGreaterThanOrEqual(1);
  });
});
