// `roma worker --metrics-port` scraped as Prometheus would: queue depth by state, runs taken, stalled recoveries,
// with worker processes on real Redis and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedTreeRules } from '../dev/scripted-model/index.js';
import { until } from '../engine/testing/wait.js';
import type { Runtime } from '../runtime/index.js';
import { BRIDGES_GOAL, bridgesTree } from './testing/fixture-trees.js';
import { metricSample, openWorkerProcesses, type WorkerProcesses } from './testing/worker-processes.js';

const GOAL = BRIDGES_GOAL;
// The new bridge is slow, so a run is still in flight while the queue is scraped or its worker is killed.
const tree = bridgesTree({ newBridgeLatencyMs: 2_500 });

let bed: WorkerProcesses;
let runtime: Runtime;

async function scrape(url: string): Promise<{ text: string; value(name: string): number }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  return {
    text,
    value: (name) => {
      return metricSample(text, name);
    },
  };
}

beforeAll(async () => {
  bed = await openWorkerProcesses({ name: 'worker-metrics', rules: scriptedTreeRules(tree) });
  ({ runtime } = bed);
}, 60_000);

afterAll(() => bed?.close(), 60_000);

describe('roma worker --metrics-port', { timeout: 120_000 }, () => {
  it('serves queue depth by state and the runs this worker took', async () => {
    const worker = await bed.startWorker(['--metrics-port', '0']);
    expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const url = worker.metricsUrl!;
    const before = await scrape(url);
    expect(before.text).toContain('# TYPE roma_queue_jobs gauge');
    expect(before.value('roma_worker_runs_taken')).toBe(0);
    expect(before.value('roma_worker_stalled_recoveries')).toBe(0);
    expect(before.value('roma_queue_jobs{state="waiting"}')).toBe(0);

    // Concurrency 1: while the first run is in flight the second waits.
    const first = runtime.runs.start({ goal: GOAL });
    const second = runtime.runs.start({ goal: GOAL });
    await until(async () => {
      const now = await scrape(url);
      return (
        now.value('roma_queue_jobs{state="active"}') === 1 &&
        now.value('roma_queue_jobs{state="waiting"}') === 1
      );
    }, 'one active and one waiting job');
    expect((await first.done).status).toBe('COMPLETED');
    expect((await second.done).status).toBe('COMPLETED');
    await until(
      async () => (await scrape(url)).value('roma_queue_jobs{state="completed"}') === 2,
      'two completed jobs',
    );
    const after = await scrape(url);
    expect(after.value('roma_worker_runs_taken')).toBe(2);
    expect(after.value('roma_queue_jobs{state="active"}')).toBe(0);
    expect(after.value('roma_queue_jobs{state="waiting"}')).toBe(0);
    expect(after.value('roma_queue_jobs{state="failed"}')).toBe(0);
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
    worker.child.kill('SIGTERM');
    await new Promise((resolve) => worker.child.once('exit', resolve));
  });

  it('counts the stalled run it took over from a worker killed with SIGKILL', async () => {
    // Both workers wait before the run is queued, so the one that did not take it is ready to inherit it however
    // slowly a busy machine starts a process (a worker started after the run could find it already finished).
    const workers = await Promise.all([
      bed.startWorker(['--metrics-port', '0']),
      bed.startWorker(['--metrics-port', '0']),
    ]);
    const handle = runtime.runs.start({ goal: GOAL });
    await until(
      async () =>
        (await runtime.store.readEvents(handle.executionId)).some(
          (event) => event.type === 'task-start' && event.goal === 'Count the new bridge',
        ),
      'the slow task to start',
    );
    const victimIndex = workers.findIndex((worker) => worker.log().includes('"msg":"starting run"'));
    expect(victimIndex).toBeGreaterThanOrEqual(0);
    const victim = workers[victimIndex]!;
    const heir = workers[1 - victimIndex]!;
    victim.child.kill('SIGKILL');
    expect((await handle.done).status).toBe('COMPLETED');
    expect(heir.log()).toContain('"msg":"resuming run"');
    const after = await scrape(heir.metricsUrl!);
    expect(after.value('roma_worker_stalled_recoveries')).toBeGreaterThanOrEqual(1);
    expect(after.value('roma_worker_runs_taken')).toBe(1);
  });

  it('refuses a metrics port that is not a port, naming the option', async () => {
    const child = bed.spawnWorker(['--metrics-port', 'ninety']);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('--metrics-port');
  });
});
