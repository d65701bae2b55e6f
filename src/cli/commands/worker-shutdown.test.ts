// `roma worker` on SIGTERM, on real Redis and PostgreSQL: it stops taking runs and finishes the one in flight, or,
// past --drain-ms, hands it back for another worker to resume without redoing finished work; it logs one JSON
// object per line throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../contracts/index.js';
import { scriptedTreeRules } from '../../dev/scripted-model/index.js';
import { requestsAbout } from '../../engine/testing/engine-test-kit.js';
import { until } from '../../engine/testing/wait.js';
import { RIVERS_GOAL, riversTree } from '../../queue/testing/fixture-trees.js';
import {
  openWorkerProcesses,
  type StartedWorker,
  type WorkerProcesses,
} from '../../queue/testing/worker-processes.js';

const GOAL = RIVERS_GOAL;
/** The tree, its last task taking `slowMs`. */
const treeWith = (slowMs: number) => riversTree({ latencyMs: 50, yangtzeLatencyMs: slowMs });

let bed: WorkerProcesses;

const asked = (goal: string) => requestsAbout(bed.model.requests, 'ROMA executor', goal).length;

/** Every line the worker wrote to stderr, each parsed as the JSON object it must be. */
function logRecords(worker: StartedWorker): Array<Record<string, unknown>> {
  return worker
    .log()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const exited = (worker: StartedWorker) =>
  new Promise<number | null>((resolve) => {
    if (worker.child.exitCode !== null) resolve(worker.child.exitCode);
    else worker.child.once('exit', (code) => resolve(code));
  });

const resumes = (events: readonly StreamEvent[]) =>
  events.filter((event) => event.type === 'execution-resume');

beforeAll(async () => {
  bed = await openWorkerProcesses({ name: 'worker-shutdown', rules: scriptedTreeRules(treeWith(2_500)) });
}, 60_000);

afterAll(() => bed?.close(), 60_000);

describe('roma worker on SIGTERM', { timeout: 120_000 }, () => {
  it('finishes the run in flight, takes no new one, exits 0, and logs JSON lines', async () => {
    bed.model.clearRequests();
    const worker = await bed.startWorker();
    const handle = bed.runtime.runs.start({ goal: GOAL });
    await until(() => asked('Measure the Yangtze') === 1, 'the slow task to reach the model');
    worker.child.kill('SIGTERM');
    // Queued after the signal: the draining worker must leave it alone.
    const late = bed.runtime.runs.start({ goal: GOAL });
    const code = await exited(worker);
    expect(code).toBe(0);
    // Drained: the run had ended before the worker exited.
    expect((await bed.runtime.store.getExecution(handle.executionId))?.status).toBe('COMPLETED');
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'THREE RIVERS SURVEYED' });
    // Finished where it began: no other worker resumed it, the slow call was made once.
    expect(resumes(await bed.runtime.store.readEvents(outcome.executionId))).toHaveLength(0);
    expect(asked('Measure the Yangtze')).toBe(1);
    expect((await bed.runtime.queueCounts?.())?.waiting).toBe(1);
    late.cancel('not needed');
    await expect(late.done).rejects.toMatchObject({ code: 'CANCELLED' });

    const records = logRecords(worker);
    for (const record of records) {
      expect(record).toMatchObject({ pid: worker.child.pid, name: 'worker' });
      expect(typeof record.level).toBe('number');
      expect(typeof record.time).toBe('number');
      expect(typeof record.msg).toBe('string');
    }
    const started = records.find((record) => record.msg === 'starting run');
    expect(started).toMatchObject({ executionId: outcome.executionId, kind: 'start' });
    expect(records.find((record) => record.msg === 'run ended')).toMatchObject({
      executionId: outcome.executionId,
      status: 'COMPLETED',
    });
    expect(records.find((record) => record.msg === 'roma worker: stopped')).toMatchObject({
      outcome: 'drained',
      taken: 1,
    });
  });

  it('past --drain-ms, hands the run back: another worker resumes it, finished tasks not redone', async () => {
    bed.model.clearRequests();
    // Slow enough that the run is still in flight however long the next worker takes to start, and quicker than
    // the default drain (30 s), so a worker that ignored --drain-ms would finish it instead of handing it back.
    bed.model.setRules(scriptedTreeRules(treeWith(20_000)));
    const leaving = await bed.startWorker(['--drain-ms', '0']);
    const handle = bed.runtime.runs.start({ goal: GOAL });
    await until(() => asked('Measure the Yangtze') === 1, 'the slow task to reach the model');
    // Started once the run is taken, so only a handed-back job can reach it.
    const heir = await bed.startWorker();
    leaving.child.kill('SIGTERM');
    expect(await exited(leaving)).toBe(0);
    bed.model.setRules(scriptedTreeRules(treeWith(50)));
    expect(logRecords(leaving).find((record) => record.msg === 'roma worker: stopped')).toMatchObject({
      outcome: 'handed-back',
    });
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'THREE RIVERS SURVEYED' });
    const events = await bed.runtime.store.readEvents(outcome.executionId);
    expect(resumes(events).map((event) => (event as { pid?: number }).pid)).toEqual([heir.child.pid]);
    // The unfinished task was redone (positive control); the finished ones were not asked again.
    expect(asked('Measure the Yangtze')).toBe(2);
    expect(asked('Measure the Nile')).toBe(1);
    expect(asked('Measure the Amazon')).toBe(1);
    expect(logRecords(heir).some((record) => record.msg === 'resuming run')).toBe(true);
  });
});
