// Resuming a cancelled run when runs and steps are BullMQ jobs (real Redis and PostgreSQL, `roma worker` processes):
// the resume goes to the queue, a worker takes it, and only what was left becomes step jobs again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../contracts/index.js';
import type { ScriptedTree } from '../dev/scripted-model/index.js';
import { scriptedTreeRules } from '../dev/scripted-model/index.js';
import { requestsAbout } from '../engine/testing/engine-test-kit.js';
import { until } from '../engine/testing/wait.js';
import { openWorkerProcesses, type StartedWorker, type WorkerProcesses } from './testing/worker-processes.js';

const GOAL = 'Compare two harbours';
const treeWith = (slowMs: number): ScriptedTree => ({
  goal: GOAL,
  latencyMs: 50,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'a', goal: 'Describe the first harbour', taskType: 'THINK', dependencies: [] },
        { id: 'b', goal: 'Describe the second harbour', taskType: 'THINK', dependencies: [] },
      ],
      result: 'HARBOURS COMPARED',
    },
    'Describe the first harbour': { result: 'FIRST IS DEEP' },
    'Describe the second harbour': { result: 'SECOND IS SHALLOW', latencyMs: slowMs },
  },
});

let bed: WorkerProcesses;
let workers: StartedWorker[];

const asked = (marker: string, goal: string) => requestsAbout(bed.model.requests, marker, goal).length;

beforeAll(async () => {
  bed = await openWorkerProcesses({
    name: 'queued-resume',
    rules: scriptedTreeRules(treeWith(30_000)),
    env: { ROMA_QUEUE_STEPS: 'true', ROMA_QUEUE_STEP_BACKOFF_MS: '100' },
    cancelPollIntervalMs: 100,
  });
  workers = await Promise.all([bed.startWorker(), bed.startWorker()]);
}, 120_000);

afterAll(() => bed?.close(), 60_000);

describe('resuming a queued run', { timeout: 120_000 }, () => {
  it('re-enqueues the run for a worker, which hands only the unfinished steps to the step queue', async () => {
    const { runtime } = bed;
    const handle = runtime.runs.start({ goal: GOAL });
    await until(
      async () =>
        (await runtime.store.readEvents(handle.executionId)).some(
          (event) => event.type === 'task-end' && event.taskId === 'root.1',
        ),
      'the first harbour to be described',
    );
    await until(
      () => asked('ROMA executor', 'Describe the second harbour') === 1,
      'the slow step to reach the model',
    );
    const cancelled = await runtime.runs.cancel(handle.executionId, { reason: 'pause', waitMs: 15_000 });
    expect(cancelled.status).toBe('CANCELLED');
    expect((await handle.done).status).toBe('CANCELLED');
    const before = (await runtime.store.readEvents(handle.executionId)).at(-1)!.seq;

    bed.model.setRules(scriptedTreeRules(treeWith(50)));
    const outcome = await runtime.runs.resume(handle.executionId).done;
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'HARBOURS COMPARED' });

    const events = await runtime.store.readEvents(handle.executionId);
    const resumed = events.filter(
      (event): event is Extract<StreamEvent, { type: 'execution-resume' }> =>
        event.type === 'execution-resume',
    );
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.seq).toBeGreaterThan(before);
    // Taken from the queue by a worker, not run by the process that asked for it.
    const workerPids = workers.map((worker) => worker.child.pid);
    expect(resumed[0]!.pid).not.toBe(process.pid);
    expect(workerPids).toContain(resumed[0]!.pid);
    // What was left, and only that, was done as step jobs by the workers after the resume.
    const after = events.filter(
      (event): event is Extract<StreamEvent, { type: 'task-step-end' }> =>
        event.type === 'task-step-end' && event.seq > before,
    );
    expect(after.map((event) => `${event.taskId} ${event.step}`).sort()).toEqual([
      'root aggregate',
      'root.2 execute',
    ]);
    for (const event of after) expect(workerPids).toContain(Number(event.worker?.split(':').at(-1)));
    // The finished task and the recorded decisions were not asked again; the cut-off call was (positive control).
    expect(asked('ROMA executor', 'Describe the first harbour')).toBe(1);
    expect(asked('ROMA planner.', GOAL)).toBe(1);
    expect(asked('ROMA atomizer.', 'Describe the second harbour')).toBe(1);
    expect(asked('ROMA executor', 'Describe the second harbour')).toBe(2);
  });
});
