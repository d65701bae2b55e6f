// A run's recorded runner is alive only if it is that very process: a restarted container's server has the same
// pid and host as the one that died with its runs.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteExecutionStore } from '../../store/index.js';
import { startRunAs } from '../testing/recorded-runner.js';
import { cancelStoredRun } from './cancel-run.js';
import { followRun } from './follow-run.js';
import { isThisProcess, RUNNER_ID, readRunLiveness, runnerLiveness } from './runner-liveness.js';

let store: SqliteExecutionStore;
beforeEach(() => {
  store = SqliteExecutionStore.open({ filePath: ':memory:' });
});
afterEach(async () => {
  await store.close();
});

/** A run whose log says this pid on `host` (this one by default) runs it, as `runnerId` (absent: an older log). */
const startedHere = (executionId: string, runnerId: string | undefined, host = hostname()) =>
  startRunAs(store, executionId, { pid: process.pid, hostname: host, ...(runnerId ? { runnerId } : {}) });

const OTHER_HOST = `not-${hostname()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runner liveness across a restart that reuses the pid', () => {
  it('reads a run left by an earlier incarnation with this pid as gone, and orphaned', async () => {
    await startedHere('before-restart', randomUUID());
    const liveness = await readRunLiveness(store, 'before-restart');
    expect(liveness).toMatchObject({ status: 'RUNNING', liveness: 'gone', orphaned: true });
    expect(liveness.runner).toMatchObject({ pid: process.pid, hostname: hostname() });
  });

  it('reads a run of this very incarnation as alive (positive control)', async () => {
    await startedHere('this-process', RUNNER_ID);
    expect(await readRunLiveness(store, 'this-process')).toMatchObject({
      liveness: 'alive',
      orphaned: false,
    });
  });

  it('keeps an older log without incarnations as before: this pid on this host is alive', async () => {
    await startedHere('legacy', undefined);
    const liveness = await readRunLiveness(store, 'legacy');
    expect(liveness).toMatchObject({ liveness: 'alive', orphaned: false });
    expect(liveness.runner?.runnerId).toBeNull();
  });

  it('follows the resumer: its incarnation replaces the starter’s, and a resume without one clears it', async () => {
    await startedHere('resumed', randomUUID());
    const resume = (runnerId: string | undefined) =>
      store.append({
        type: 'execution-resume',
        executionId: 'resumed',
        timestamp: new Date().toISOString(),
        fromSeq: 1,
        pid: process.pid,
        hostname: hostname(),
        ...(runnerId ? { runnerId } : {}),
      });
    await resume(RUNNER_ID);
    expect((await readRunLiveness(store, 'resumed')).liveness).toBe('alive');
    await resume(randomUUID());
    expect((await readRunLiveness(store, 'resumed')).liveness).toBe('gone');
    await resume(undefined);
    expect((await readRunLiveness(store, 'resumed')).runner?.runnerId).toBeNull();
  });

  it('lets cancel end such a run on the spot instead of waiting for a runner that is gone', async () => {
    await startedHere('cancel-me', randomUUID());
    const result = await cancelStoredRun(store, 'cancel-me', { reason: 'test', waitMs: 0 });
    expect(result.message).toContain('no process was running it');
    expect((await store.getExecution('cancel-me'))?.status).toBe('CANCELLED');
  });

  it('lets a watcher stop with runner-gone instead of waiting forever', async () => {
    await startedHere('watch-me', randomUUID());
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 20_000);
    try {
      const follow = followRun(store, 'watch-me', { signal: controller.signal });
      const seen: string[] = [];
      for await (const event of follow) seen.push(event.type);
      expect(seen).toEqual(['execution-start']);
      expect(follow.end?.kind).toBe('runner-gone');
    } finally {
      clearTimeout(timer);
    }
  });

  it('tells this process from another on this host and from any on another host', () => {
    const here = { pid: process.pid, hostname: hostname(), runnerId: RUNNER_ID };
    expect(isThisProcess(here)).toBe(true);
    expect(isThisProcess({ ...here, runnerId: randomUUID() })).toBe(false);
    expect(isThisProcess({ ...here, hostname: `not-${hostname()}` })).toBe(false);
    expect(runnerLiveness({ ...here, hostname: `not-${hostname()}` })).toBe('unknown');
    expect(runnerLiveness(null)).toBe('unknown');
  });
});

describe('runner liveness on another host, from its beats in the store', () => {
  it('is alive while the runner beats, and gone once it misses a few beats', async () => {
    const runnerId = randomUUID();
    await startedHere('remote', runnerId, OTHER_HOST);
    await store.beat('remote', { runnerId, intervalMs: 40 });
    expect(await readRunLiveness(store, 'remote')).toMatchObject({ liveness: 'alive', orphaned: false });
    await sleep(200);
    expect(await readRunLiveness(store, 'remote')).toMatchObject({ liveness: 'gone', orphaned: true });
    // A beat again (the runner was only slow) makes it alive again.
    await store.beat('remote', { runnerId, intervalMs: 40 });
    expect((await readRunLiveness(store, 'remote')).liveness).toBe('alive');
  });

  it('cannot tell without a beat of that very runner: no beat, or an earlier runner’s', async () => {
    const runnerId = randomUUID();
    await startedHere('silent', runnerId, OTHER_HOST);
    expect((await readRunLiveness(store, 'silent')).liveness).toBe('unknown');
    await store.beat('silent', { runnerId: randomUUID(), intervalMs: 10_000 });
    expect((await readRunLiveness(store, 'silent')).liveness).toBe('unknown');
    await startedHere('legacy-remote', undefined, OTHER_HOST);
    expect((await readRunLiveness(store, 'legacy-remote')).liveness).toBe('unknown');
  });

  it('lets cancel end a run whose remote runner stopped beating, and only wait on one that beats', async () => {
    const alive = randomUUID();
    await startedHere('beating', alive, OTHER_HOST);
    await store.beat('beating', { runnerId: alive, intervalMs: 60_000 });
    const waiting = await cancelStoredRun(store, 'beating', { reason: 'test', waitMs: 0 });
    expect(waiting).toMatchObject({ outcome: 'requested', status: 'RUNNING' });
    const dead = randomUUID();
    await startedHere('stopped-beating', dead, OTHER_HOST);
    await store.beat('stopped-beating', { runnerId: dead, intervalMs: 20 });
    await sleep(150);
    const ended = await cancelStoredRun(store, 'stopped-beating', { reason: 'test', waitMs: 0 });
    expect(ended.message).toContain('no process was running it');
    expect((await store.getExecution('stopped-beating'))?.status).toBe('CANCELLED');
  });
});
