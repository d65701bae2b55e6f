// Kills the SQLite stores' append worker mid-run and checks what callers see: no hang, a typed error, a new worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isRomaError, type NewStreamEvent, type StreamEvent } from '../contracts/index.js';
import { SqliteExecutionStore } from './sqlite-execution-store.js';
import { warningEvent } from './testing/test-events.js';

/**
 * The real worker, watched: each one started is listed, and one kill can be armed — the worker is terminated
 * when a batch of `executionId` is posted to it (the batch is never delivered) or when its reply comes back
 * (the batch was committed, the reply is lost).
 */
const watch = vi.hoisted(() => ({
  started: [] as Worker[],
  kill: undefined as undefined | { executionId: string; when: 'batch-posted' | 'reply-received' },
}));

vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:worker_threads')>();
  const holds = (message: unknown, executionId: string): boolean => {
    const reply = message as { kind?: string; appendedTo?: string[] };
    // Each pending append is a group of events of one execution (`append` posts a group of one).
    const commit = message as { kind?: string; batch?: Array<{ events: Array<{ executionId: string }> }> };
    return (
      (reply.kind === 'committed' && reply.appendedTo!.includes(executionId)) ||
      (commit.kind === 'commit' &&
        commit.batch!.some((pending) => pending.events[0]?.executionId === executionId))
    );
  };
  class WatchedWorker extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      watch.started.push(this);
    }

    override postMessage(...args: Parameters<InstanceType<typeof actual.Worker>['postMessage']>): void {
      const kill = watch.kill;
      if (kill?.when === 'batch-posted' && holds(args[0], kill.executionId)) {
        watch.kill = undefined;
        void this.terminate();
        return;
      }
      super.postMessage(...args);
    }

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      const kill = watch.kill;
      if (event === 'message' && kill?.when === 'reply-received' && holds(args[0], kill.executionId)) {
        watch.kill = undefined;
        void this.terminate();
        return true;
      }
      return super.emit(event, ...args);
    }
  }
  return { ...actual, Worker: WatchedWorker };
});

/** Every wait of these tests: a hang fails the test with what was awaited, well inside the test's timeout. */
async function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const messagesOf = (events: StreamEvent[]) =>
  events.map((event) => (event.type === 'warning' ? event.message : `(${event.type})`));

/** The log holds seqs 1..n with no gap, and each append that reported success once, at the seq it was told. */
async function expectLogKeeps(store: SqliteExecutionStore, executionId: string, succeeded: StreamEvent[]) {
  const log = await store.readEvents(executionId);
  expect(log.map((event) => event.seq)).toEqual(log.map((_, index) => index + 1));
  expect(new Set(messagesOf(log)).size).toBe(log.length);
  for (const event of succeeded) expect(log[event.seq - 1]).toEqual(event);
  return log;
}

function expectWorkerDeath(outcome: PromiseSettledResult<StreamEvent>) {
  expect(outcome.status).toBe('rejected');
  const error = (outcome as PromiseRejectedResult).reason;
  expect(isRomaError(error) && error.code).toBe('STORE_FAILED');
  expect(error.retryable).toBe(false);
  expect(error.message).toMatch(/append worker exited .* may or may not have been stored/);
}

describe('SQLite append worker death', () => {
  let dataDirs: string[];
  let stores: SqliteExecutionStore[];

  beforeEach(() => {
    dataDirs = [];
    stores = [];
    watch.kill = undefined;
  });

  afterEach(async () => {
    watch.kill = undefined;
    for (const store of stores) await within(store.close(), 'closing a store');
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  });

  async function openWithRun(executionId: string): Promise<SqliteExecutionStore> {
    const dataDir = mkdtempSync(join(tmpdir(), 'roma-sqlite-worker-death-'));
    dataDirs.push(dataDir);
    const store = SqliteExecutionStore.open({ dataDir });
    stores.push(store);
    await store.createExecution({ id: executionId, goal: 'outlive the append worker' });
    return store;
  }

  const append = (store: SqliteExecutionStore, executionId: string, message: string) =>
    store.append(warningEvent(executionId, message));

  it('fails the batches it held when it dies before committing, and later appends go to a new worker', async () => {
    const victim = await openWithRun('victim');
    const bystander = await openWithRun('bystander');
    const before: StreamEvent[] = [];
    for (const index of [1, 2, 3]) {
      before.push(await within(append(victim, 'victim', `before ${index}`), 'an append before the kill'));
      before.push(
        await within(append(bystander, 'bystander', `before ${index}`), 'an append before the kill'),
      );
    }
    const dying = watch.started.at(-1)!;

    // The bystander's batch is posted first (it may be committed or not when the worker dies); the victim's
    // batch kills the worker as it is posted, so it is never committed.
    watch.kill = { executionId: 'victim', when: 'batch-posted' };
    const bystanderInFlight = [1, 2].map((index) => append(bystander, 'bystander', `in flight ${index}`));
    const victimInFlight = [1, 2, 3, 4].map((index) => append(victim, 'victim', `in flight ${index}`));
    const victimOutcomes = await within(Promise.allSettled(victimInFlight), 'the batch the worker held');
    const bystanderOutcomes = await within(Promise.allSettled(bystanderInFlight), "the bystander's batch");
    expect(watch.kill).toBeUndefined();
    for (const outcome of victimOutcomes) expectWorkerDeath(outcome);
    for (const outcome of bystanderOutcomes) if (outcome.status === 'rejected') expectWorkerDeath(outcome);

    const after: StreamEvent[] = [];
    for (const index of [1, 2]) {
      after.push(await within(append(victim, 'victim', `after ${index}`), 'an append after the kill'));
      after.push(await within(append(bystander, 'bystander', `after ${index}`), 'an append after the kill'));
    }
    const replacement = watch.started.at(-1)!;
    expect(replacement).not.toBe(dying);
    // The batch that was never committed took no seq: the next appends follow the last stored one.
    expect(after.filter((event) => event.executionId === 'victim').map((event) => event.seq)).toEqual([4, 5]);

    const succeeded = [...before, ...after];
    const bystanderSucceeded = bystanderOutcomes.flatMap((outcome) =>
      outcome.status === 'fulfilled' ? [outcome.value] : [],
    );
    const victimLog = await expectLogKeeps(
      victim,
      'victim',
      succeeded.filter((event) => event.executionId === 'victim'),
    );
    expect(messagesOf(victimLog)).toEqual(['before 1', 'before 2', 'before 3', 'after 1', 'after 2']);
    const bystanderLog = await expectLogKeeps(bystander, 'bystander', [
      ...succeeded.filter((event) => event.executionId === 'bystander'),
      ...bystanderSucceeded,
    ]);
    expect(bystanderLog.length).toBeGreaterThanOrEqual(5);
    // A store opened after the death works too, in the same new worker.
    const late = await openWithRun('late');
    expect((await within(append(late, 'late', 'first'), 'a new store after the kill')).seq).toBe(1);
    expect(watch.started.at(-1)).toBe(replacement);
  }, 30_000);

  it('reports a batch committed before the worker died as maybe stored, and the log holds it once', async () => {
    const store = await openWithRun('committed');
    const before = [await within(append(store, 'committed', 'before'), 'an append before the kill')];
    const dying = watch.started.at(-1)!;

    watch.kill = { executionId: 'committed', when: 'reply-received' };
    const inFlight = [1, 2, 3].map((index) => append(store, 'committed', `in flight ${index}`));
    const outcomes = await within(Promise.allSettled(inFlight), 'the batch whose reply was lost');
    expect(watch.kill).toBeUndefined();
    for (const outcome of outcomes) expectWorkerDeath(outcome);

    const after = await within(append(store, 'committed', 'after'), 'an append after the kill');
    expect(watch.started.at(-1)).not.toBe(dying);
    expect(after.seq).toBe(5);
    const log = await expectLogKeeps(store, 'committed', [...before, after]);
    expect(messagesOf(log)).toEqual(['before', 'in flight 1', 'in flight 2', 'in flight 3', 'after']);
  }, 30_000);

  it('keeps a store usable after a batch that cannot be posted to the worker', async () => {
    const store = await openWithRun('uncloneable');
    const uncloneable: NewStreamEvent = {
      type: 'task-step-end',
      executionId: 'uncloneable',
      timestamp: new Date().toISOString(),
      taskId: 'root',
      step: 'execute',
      attempt: 0,
      output: { callback: () => 'a function cannot cross to the worker' },
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 },
    };
    const refused = await within(
      store.append(uncloneable).then(
        () => undefined,
        (error: unknown) => error,
      ),
      'an append that cannot be posted',
    );
    expect(isRomaError(refused) && refused.code).toBe('STORE_FAILED');
    expect((refused as Error).message).toMatch(/could not be cloned/);
    // The refused batch left nothing waiting: the next append of the same store is committed.
    const next = await within(append(store, 'uncloneable', 'next'), 'the append after the refused one');
    expect(next.seq).toBe(1);
  }, 30_000);
});
