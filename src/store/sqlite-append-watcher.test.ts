// The SQLite store's shared watch of other connections' commits: followers wake on a commit beacon or a WAL write
// without polling,
// only the followers of a run that grew re-read, and the watch lets go when the last follower does.
import { mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StreamEvent } from '../contracts/index.js';
import { SqliteAppendWatcher } from './sqlite-append-watcher.js';
import { commitBeaconPath, SqliteCommitBeacon } from './sqlite-commit-beacon.js';
import { SqliteExecutionStore } from './sqlite-execution-store.js';
import { warningEvent } from './testing/test-events.js';

const FOLLOW_BOUND_MS = 20_000;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function openPair(): { reader: SqliteExecutionStore; writer: SqliteExecutionStore } {
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-sqlite-watch-'));
  // Two connections to one file, as the API server and a process running the runs have.
  const reader = SqliteExecutionStore.open({ dataDir });
  const writer = SqliteExecutionStore.open({ dataDir });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => reader.close());
  cleanups.push(() => writer.close());
  return { reader, writer };
}

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 2_000 && !condition(); attempt += 1)
    await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

/** Follows `executionId` on `store` in the background, collecting seqs until the returned stop is called. */
function follow(store: SqliteExecutionStore, executionId: string, pollIntervalMs: number) {
  const controller = new AbortController();
  const seqs: number[] = [];
  const done = (async () => {
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(FOLLOW_BOUND_MS)]);
    for await (const event of store.follow(executionId, {
      signal,
      pollIntervalMs,
    }) as AsyncIterable<StreamEvent>)
      seqs.push(event.seq);
  })();
  return {
    seqs,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

describe('SQLite append watcher', { timeout: 60_000 }, () => {
  it("wakes a follower on another connection's commit (its beacon or WAL write), with no poll due for a minute", async () => {
    const { reader, writer } = openPair();
    await writer.createExecution({ id: 'run-watched', goal: 'watch' });
    const follower = follow(reader, 'run-watched', 60_000);
    await until(() => reader.appendWatcher.watchingFile);
    await writer.append(warningEvent('run-watched', 'one'));
    await writer.append(warningEvent('run-watched', 'two'));
    // The tick and the follower's own backstop are a minute away: only the WAL watch can deliver these.
    await until(() => follower.seqs.length === 2);
    expect(follower.seqs).toEqual([1, 2]);
    await follower.stop();
  });

  it('re-reads only the runs that grew; idle followers cost a tick, not a read each', async () => {
    const { reader, writer } = openPair();
    const ids = ['run-a', 'run-b', 'run-c'];
    for (const id of ids) await writer.createExecution({ id, goal: id });
    const reads = vi.spyOn(reader, 'readEvents');
    const followers = ids.map((id) => follow(reader, id, 5));
    await until(() => reads.mock.calls.length === ids.length);
    const checksBefore = reader.appendWatcher.checks;
    await until(() => reader.appendWatcher.checks > checksBefore + 10);
    // Ten ticks of 5 ms later (the backstop re-read is 2 s away), nothing committed: still just the first read of each follower.
    expect(reads.mock.calls.length).toBe(ids.length);

    // Positive control: a commit to run-b wakes run-b's follower alone.
    await writer.append(warningEvent('run-b', 'grew'));
    await until(() => followers[1]!.seqs.length === 1);
    const readRuns = reads.mock.calls.slice(ids.length).map(([id]) => id);
    expect(new Set(readRuns)).toEqual(new Set(['run-b']));
    expect(followers.map((each) => each.seqs)).toEqual([[], [1], []]);
    for (const each of followers) await each.stop();
  });

  it('lets go of the file and the tick when the last follower ends, and watches again for a new one', async () => {
    const { reader, writer } = openPair();
    await writer.createExecution({ id: 'run-x', goal: 'x' });
    const first = follow(reader, 'run-x', 5);
    await until(() => reader.appendWatcher.watchingFile);
    await first.stop();
    expect(reader.appendWatcher.watchingFile).toBe(false);
    const checks = reader.appendWatcher.checks;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reader.appendWatcher.checks).toBe(checks);

    const second = follow(reader, 'run-x', 60_000);
    await until(() => reader.appendWatcher.watchingFile);
    await writer.append(warningEvent('run-x', 'again'));
    await until(() => second.seqs.length === 1);
    await second.stop();
  });

  it('an in-memory store has no file to watch; its own appends still wake followers at once', async () => {
    const store = SqliteExecutionStore.open({ filePath: ':memory:' });
    cleanups.push(() => store.close());
    await store.createExecution({ id: 'run-memory', goal: 'memory' });
    const follower = follow(store, 'run-memory', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.append(warningEvent('run-memory', 'local'));
    await until(() => follower.seqs.length === 1);
    expect(store.appendWatcher.watchingFile).toBe(false);
    await follower.stop();
  });
});

describe('SQLite commit beacon', { timeout: 60_000 }, () => {
  /**
   * A watcher of `executionId` over a database path with no database: the test says what is committed (its data
   * version and last seq) and sees which runs the watcher woke, once it watches the files.
   */
  async function watchProbedDatabase(executionId: string) {
    const directory = mkdtempSync(join(tmpdir(), 'roma-sqlite-beacon-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const databasePath = join(directory, 'roma.db');
    const committed = { version: 1, lastSeq: 0 };
    const woken: string[] = [];
    const closed = new AbortController();
    cleanups.push(() => closed.abort());
    const watcher = new SqliteAppendWatcher({
      probe: { dataVersion: () => committed.version, lastSeq: () => committed.lastSeq },
      onAppend: (woke) => woken.push(woke),
      walPath: `${databasePath}-wal`,
      beaconPath: commitBeaconPath(databasePath),
      closedSignal: closed.signal,
    });
    watcher.watch(executionId, 60_000);
    await until(() => watcher.watchingFile);
    return { databasePath, committed, woken, watcher };
  }

  it("wakes a follower on a writer's beacon alone, with the WAL never written and no tick due", async () => {
    const { databasePath, committed, woken, watcher } = await watchProbedDatabase('run-beacon');
    const beacon = new SqliteCommitBeacon(databasePath);
    cleanups.push(() => beacon.close());
    // Positive control first: a ring with nothing committed wakes nobody (the check finds no new version).
    beacon.ring();
    await until(() => watcher.checks >= 1);
    expect(woken).toEqual([]);
    committed.version = 2;
    committed.lastSeq = 1;
    beacon.ring();
    await until(() => woken.length === 1);
    expect(woken).toEqual(['run-beacon']);
  });

  it('wakes on a WAL write from a writer that rings no beacon (rechecking until the commit is visible)', async () => {
    const { databasePath, committed, woken } = await watchProbedDatabase('run-wal');
    writeFileSync(`${databasePath}-wal`, 'frame');
    // The commit becomes visible only after the write the OS reported: the rechecks find it.
    setTimeout(() => {
      committed.version = 2;
      committed.lastSeq = 1;
    }, 3);
    await until(() => woken.length === 1);
    expect(woken).toEqual(['run-wal']);
  });

  it("rings after every committed append, so other processes' watchers hear it", async () => {
    const { writer } = openPair();
    await writer.createExecution({ id: 'run-ring', goal: 'ring' });
    const heard: string[] = [];
    const beaconPath = commitBeaconPath(writer.filePath);
    const directoryWatch = watch(dirname(beaconPath), (_event, fileName) => {
      if (fileName === basename(beaconPath)) heard.push(String(fileName));
    });
    cleanups.push(() => directoryWatch.close());
    await writer.append(warningEvent('run-ring', 'one'));
    await until(() => heard.length >= 1);
  });

  it('a beacon that cannot be written is given up quietly; commits still succeed', async () => {
    const beacon = new SqliteCommitBeacon(join(tmpdir(), 'roma-no-such-directory', 'x', 'roma.db'));
    expect(() => beacon.ring()).not.toThrow();
    expect(() => beacon.ring()).not.toThrow();
    beacon.close();
  });
});
