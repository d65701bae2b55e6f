// `roma worker --metrics-port` counts failures: a step whose model refuses it shows as a failed step of this worker
// and a failed job on the step queue (real Redis and PostgreSQL, a worker process, the scripted model).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedTreeRules, taskLine } from '../dev/scripted-model/index.js';
import { until } from '../engine/testing/wait.js';
import { BRIDGES_GOAL, bridgesTree, NEW_BRIDGE_GOAL } from './testing/fixture-trees.js';
import { metricSample, openWorkerProcesses, type WorkerProcesses } from './testing/worker-processes.js';

const GOAL = BRIDGES_GOAL;
const tree = bridgesTree();

let bed: WorkerProcesses;

beforeAll(async () => {
  bed = await openWorkerProcesses({
    name: 'worker-failure-metrics',
    rules: [
      {
        match: { contains: ['ROMA executor', taskLine(NEW_BRIDGE_GOAL)] },
        reply: { status: 400, errorBody: { error: { message: 'BAD REQUEST ON PURPOSE' } } },
      },
      ...scriptedTreeRules(tree),
    ],
    env: { ROMA_QUEUE_STEPS: 'true' },
  });
}, 60_000);

afterAll(() => bed?.close(), 60_000);

describe('roma worker --metrics-port and failures', { timeout: 120_000 }, () => {
  it('counts a failed step of this worker and the failed job on the step queue', async () => {
    const worker = await bed.startWorker(['--metrics-port', '0']);
    const scrape = async (name: string) => metricSample(await (await fetch(worker.metricsUrl!)).text(), name);
    expect(await scrape('roma_worker_steps_failed')).toBe(0);
    expect(await scrape('roma_queue_step_jobs{state="failed"}')).toBe(0);

    const outcome = await bed.runtime.runs.start({ goal: GOAL }).done;
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error?.cause?.[0]).toMatchObject({ code: 'MODEL_CALL_FAILED' });
    await until(
      async () => (await scrape('roma_queue_step_jobs{state="failed"}')) === 1,
      'one failed step job',
    );
    expect(await scrape('roma_worker_steps_failed')).toBe(1);
    // Positive control: the steps that worked were counted as taken, not failed.
    expect(await scrape('roma_worker_steps_taken')).toBeGreaterThan(1);
    expect(await scrape('roma_queue_step_jobs{state="completed"}')).toBeGreaterThan(0);
  });
});
