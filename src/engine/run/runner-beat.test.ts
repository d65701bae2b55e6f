// A run's runner beats in the store while it runs (and only then), and a resume from another host is refused while
// the runner there still beats.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedTreeRules } from '../../dev/scripted-model/index.js';
import { RUNNER_ID } from '../control/runner-liveness.js';
import { CITIES, citiesTree, createEngineKit, type EngineKit } from '../testing/engine-test-kit.js';
import { until } from '../testing/wait.js';
import { startExecution, startResume } from './execution.js';

let kit: EngineKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runner beats', { timeout: 60_000 }, () => {
  it('beat as this runner while the run runs, and stop when it ends', async () => {
    kit = await createEngineKit(scriptedTreeRules(citiesTree(600)));
    const store = kit.store;
    const handle = startExecution({ ...kit.deps(), runnerBeatIntervalMs: 30 }, { goal: CITIES });
    await until(async () => (await store.lastBeat(handle.executionId)) !== null, 'a first beat');
    const first = await store.lastBeat(handle.executionId);
    expect(first).toMatchObject({ runnerId: RUNNER_ID, intervalMs: 30 });
    // Mid-run (the second city takes 600 ms), beats keep coming: the last is never many intervals old.
    await sleep(200);
    expect((await store.lastBeat(handle.executionId))!.ageMs).toBeLessThan(150);
    expect((await handle.done).status).toBe('COMPLETED');
    await sleep(200);
    expect((await store.lastBeat(handle.executionId))!.ageMs).toBeGreaterThanOrEqual(150);
  });

  it('refuses a resume while the run’s runner on another host beats, and allows it once it stopped', async () => {
    kit = await createEngineKit(scriptedTreeRules(citiesTree(0)));
    const store = kit.store;
    const executionId = `remote-${randomUUID()}`;
    const remoteRunner = randomUUID();
    const otherHost = `not-${hostname()}`;
    await store.createExecution({ id: executionId, goal: CITIES });
    await store.append({
      type: 'execution-start',
      executionId,
      timestamp: new Date().toISOString(),
      goal: CITIES,
      rootTaskId: 'root',
      options: { pid: 4242, hostname: otherHost, runnerId: remoteRunner },
    });
    await store.beat(executionId, { runnerId: remoteRunner, intervalMs: 40 });
    const refused = await startResume(store, executionId, kit.deps()).done.catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    expect((refused as Error).message).toContain(`on ${otherHost}`);
    // Positive control: the remote runner stops beating, and the same resume runs the run to its end.
    await sleep(200);
    const resumed = await startResume(store, executionId, kit.deps()).done;
    expect(resumed.status).toBe('COMPLETED');
    expect(await store.lastBeat(executionId)).toMatchObject({ runnerId: RUNNER_ID });
  });
});
