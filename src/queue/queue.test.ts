// Runs as BullMQ jobs taken by `roma worker` processes, on real Redis and PostgreSQL: spread over workers, a killed
// worker's run resumed by another without redoing finished work, and a cancel that reaches the worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../contracts/index.js';
import type { ScriptedModelServer } from '../dev/scripted-model/index.js';
import { scriptedTreeRules } from '../dev/scripted-model/index.js';
import { requestsAbout } from '../engine/testing/engine-test-kit.js';
import type { Runtime } from '../runtime/index.js';
import { RIVERS_GOAL, riversTree } from './testing/fixture-trees.js';
import { openWorkerProcesses, type WorkerProcesses } from './testing/worker-processes.js';

const GOAL = RIVERS_GOAL;
// The Yangtze is slow, so a worker can be killed while it runs.
const tree = riversTree({ latencyMs: 100, yangtzeLatencyMs: 3_000 });

let bed: WorkerProcesses;
let model: ScriptedModelServer;
let runtime: Runtime;

const runnerPid = (events: readonly StreamEvent[]): number[] =>
  events
    .filter((event) => event.type === 'execution-start' || event.type === 'execution-resume')
    .map((event) =>
      Number(
        (event as { options?: { pid?: number }; pid?: number }).options?.pid ??
          (event as { pid?: number }).pid,
      ),
    );

beforeAll(async () => {
  bed = await openWorkerProcesses({
    name: 'queue',
    rules: scriptedTreeRules(tree),
    cancelPollIntervalMs: 100,
  });
  ({ model, runtime } = bed);
  await Promise.all([bed.startWorker(), bed.startWorker()]);
}, 60_000);

afterAll(() => bed?.close(), 60_000);

describe('BullMQ workers', { timeout: 120_000 }, () => {
  it('runs queued runs in worker processes, spread over them, and reports them to the starter', async () => {
    const handles = [0, 1].map(() => runtime.runs.start({ goal: GOAL }));
    const outcomes = await Promise.all(handles.map((handle) => handle.done));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(outcomes[0]?.result).toContain('THREE RIVERS SURVEYED');
    const pids = new Set<number>();
    for (const outcome of outcomes) {
      for (const pid of runnerPid(await runtime.store.readEvents(outcome.executionId))) pids.add(pid);
    }
    expect(pids.has(process.pid)).toBe(false);
    expect(pids.size).toBe(2);
  });

  it('resumes the run of a worker killed with SIGKILL on another worker, redoing no finished task', async () => {
    model.clearRequests();
    const handle = runtime.runs.start({ goal: GOAL });
    // Wait until the slow task is running: Nile and Amazon are done by then.
    let events: StreamEvent[] = [];
    for (let attempt = 0; attempt < 200; attempt += 1) {
      events = await runtime.store.readEvents(handle.executionId);
      if (events.some((event) => event.type === 'task-start' && event.goal === 'Measure the Yangtze')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [pid] = runnerPid(events);
    const victim = bed.workers.find((worker) => worker.child.pid === pid);
    expect(victim).toBeDefined();
    victim!.child.kill('SIGKILL');
    await bed.startWorker();
    const outcome = await handle.done;
    expect(outcome.status).toBe('COMPLETED');
    const log = await runtime.store.readEvents(handle.executionId);
    const runners = runnerPid(log);
    expect(runners.length).toBeGreaterThanOrEqual(2);
    expect(runners.at(-1)).not.toBe(pid);
    // Every finished task's model call was made once: the executor of the Nile is asked exactly once.
    const asked = (goal: string) => requestsAbout(model.requests, 'ROMA executor', goal).length;
    expect(asked('Measure the Nile')).toBe(1);
    expect(asked('Measure the Amazon')).toBe(1);
  });

  it('cancels a queued run that a worker is running', async () => {
    const handle = runtime.runs.start({ goal: GOAL });
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if ((await runtime.store.readEvents(handle.executionId)).some((event) => event.type === 'task-start'))
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const result = await runtime.runs.cancel(handle.executionId, { reason: 'enough', waitMs: 10_000 });
    expect(result.status).toBe('CANCELLED');
    expect((await handle.done).status).toBe('CANCELLED');
  });
});
