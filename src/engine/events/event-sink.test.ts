// A run's events reach observers and live watchers (CLI --json, follow) in seq order, whatever order the store replies in.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewStreamEvent, StreamEvent } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { PostgresExecutionStore, SqliteExecutionStore } from '../../store/index.js';
import { dropTestSchema, TEST_DATABASE_URL, uniqueTestName } from '../../store/testing/test-database.js';
import { EventBus } from './event-bus.js';
import { EventSink } from './event-sink.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openPostgres(): Promise<ExecutionStore> {
  const schema = uniqueTestName();
  const store = await PostgresExecutionStore.open({ connectionString: TEST_DATABASE_URL, schema });
  cleanups.push(async () => {
    await store.close();
    await dropTestSchema(schema);
  });
  return store;
}

async function openSqlite(): Promise<ExecutionStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-sink-'));
  const store = SqliteExecutionStore.open({ dataDir, synchronous: 'NORMAL' });
  cleanups.push(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return store;
}

/** A run of its own on an SQLite store at full durability, whose commit counts the tests read. */
async function openSqliteRun(goal: string): Promise<{ store: SqliteExecutionStore; executionId: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-sink-run-'));
  const store = SqliteExecutionStore.open({ dataDir });
  cleanups.push(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const executionId = `run-${randomUUID()}`;
  await store.createExecution({ id: executionId, goal });
  return { store, executionId };
}

/**
 * The real store, with each append's reply held back a little, earlier appends longest: the way replies on
 * separate pooled connections, or from a busy server, come back in another order than the commits.
 */
function slowRepliesStore(store: ExecutionStore): ExecutionStore {
  let calls = 0;
  return {
    ...Object.fromEntries(
      (
        [
          'createExecution',
          'readEvents',
          'follow',
          'getExecution',
          'listExecutions',
          'importEvents',
          'close',
        ] as const
      ).map((name) => [name, (store[name] as (...args: unknown[]) => unknown).bind(store)]),
    ),
    append: async (event: NewStreamEvent, options?: Parameters<ExecutionStore['append']>[1]) => {
      const holdMs = Math.max(0, 40 - (calls++ % 8) * 5);
      const stored = await store.append(event, options);
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      return stored;
    },
  } as ExecutionStore;
}

/** What the sink's observer and a live watcher of its bus saw (seqs); `finish` closes the bus and waits for the watcher. */
function watchSeqs(sink: EventSink, bus: EventBus) {
  const observed: number[] = [];
  sink.observe((event) => observed.push(event.seq));
  const streamed: number[] = [];
  const stream = bus.stream();
  const reading = (async () => {
    for await (const event of stream) streamed.push(event.seq);
  })();
  return {
    observed,
    streamed,
    finish: async () => {
      bus.close();
      await reading;
    },
  };
}

describe.each([
  ['PostgreSQL', openPostgres],
  ['SQLite', openSqlite],
] as const)('EventSink on %s', (_name, openStore) => {
  it('observes and publishes concurrent emits in seq order', async () => {
    const store = await openStore();
    const executionId = `run-${randomUUID()}`;
    await store.createExecution({ id: executionId, goal: 'ordered' });
    const bus = new EventBus();
    const sink = new EventSink(slowRepliesStore(store), executionId, bus);
    const { observed, streamed, finish } = watchSeqs(sink, bus);

    // Parallel siblings and the code agent emit at once.
    const stored: StreamEvent[] = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        index % 3 === 0
          ? sink.emitForeign({
              type: 'warning',
              executionId: 'someone-else',
              timestamp: new Date().toISOString(),
              taskId: null,
              code: 'FOREIGN',
              message: `foreign ${index}`,
            })
          : sink.emit({ type: 'warning', taskId: null, code: 'TEST', message: `event ${index}` }),
      ),
    );
    await finish();

    const inOrder = Array.from({ length: 40 }, (_, index) => index + 1);
    expect(stored.map((event) => event.seq).sort((a, b) => a - b)).toEqual(inOrder);
    expect(observed).toEqual(inOrder);
    expect(streamed).toEqual(inOrder);
    const events = await store.readEvents(executionId);
    expect(events.every((event) => event.executionId === executionId)).toBe(true);
  });

  it('keeps going after a refused append, in order', async () => {
    const store = await openStore();
    const executionId = `run-${randomUUID()}`;
    await store.createExecution({ id: executionId, goal: 'refusal' });
    const bus = new EventBus();
    const sink = new EventSink(store, executionId, bus);
    const observed: number[] = [];
    sink.observe((event) => observed.push(event.seq));
    const results = await Promise.allSettled([
      sink.emit({ type: 'warning', taskId: null, code: 'TEST', message: 'one' }),
      sink.emit({ type: 'warning', taskId: null, code: 'TEST', message: 'stale' }, { ifLastSeq: 0 }),
      sink.emit({ type: 'warning', taskId: null, code: 'TEST', message: 'two' }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(observed).toEqual([1, 2]);
  });
});

describe('EventSink on a store that numbers appends in call order', () => {
  it('sends emits at once so they share commits, and still observes and publishes them in seq order', async () => {
    const { store, executionId } = await openSqliteRun('together');
    const bus = new EventBus();
    // Replies held back out of order, as in the tests above, on a store that says it numbers in call order.
    const sink = new EventSink({ ...slowRepliesStore(store), appendsInCallOrder: true }, executionId, bus);
    const { observed, streamed, finish } = watchSeqs(sink, bus);
    const emit = (message: string) => sink.emit({ type: 'warning', taskId: null, code: 'TEST', message });

    // Positive control: emits awaited one by one take a commit each.
    const before = store.appendCommitStats.commits;
    for (let index = 0; index < 3; index += 1) await emit(`awaited ${index}`);
    expect(store.appendCommitStats.commits - before).toBe(3);
    const stored = await Promise.all(Array.from({ length: 40 }, (_, index) => emit(`together ${index}`)));
    await finish();

    expect(store.appendCommitStats.commits - before).toBeLessThan(3 + 40);
    const inOrder = Array.from({ length: 43 }, (_, index) => index + 1);
    // Each emit resolves with its own event, numbered in the order the emits were made.
    expect(stored.map((event) => event.type === 'warning' && event.message)).toEqual(
      Array.from({ length: 40 }, (_, index) => `together ${index}`),
    );
    expect(stored.map((event) => event.seq)).toEqual(inOrder.slice(3));
    expect(observed).toEqual(inOrder);
    expect(streamed).toEqual(inOrder);
  });
});

describe('EventSink.record', () => {
  it('lets the events between two external effects share one commit, durable once durable() resolves', async () => {
    const { store, executionId } = await openSqliteRun('recorded');
    const sink = new EventSink(store, executionId, new EventBus());
    const before = store.appendCommitStats.commits;
    for (let index = 0; index < 3; index += 1)
      sink.record({ type: 'warning', taskId: null, code: 'TEST', message: `recorded ${index}` });
    await sink.durable();
    expect(store.appendCommitStats.commits - before).toBe(1);
    const events = await store.readEvents(executionId);
    expect(events.map((event) => event.type === 'warning' && event.message)).toEqual([
      'recorded 0',
      'recorded 1',
      'recorded 2',
    ]);
  });

  it('reports a failed recorded append at the next durable(), once, and keeps later events in order', async () => {
    const { store, executionId } = await openSqliteRun('recorded');
    const failing = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'append') {
          return (event: NewStreamEvent, options?: Parameters<ExecutionStore['append']>[1]) =>
            event.type === 'warning' && event.message === 'lost'
              ? Promise.reject(new Error('store down for this one'))
              : target.append(event, options);
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const sink = new EventSink(failing, executionId, new EventBus());
    const observed: string[] = [];
    sink.observe((event) => observed.push(event.type === 'warning' ? event.message : event.type));
    sink.record({ type: 'warning', taskId: null, code: 'TEST', message: 'kept' });
    sink.record({ type: 'warning', taskId: null, code: 'TEST', message: 'lost' });
    sink.record({ type: 'warning', taskId: null, code: 'TEST', message: 'after' });
    await expect(sink.durable()).rejects.toThrow('store down for this one');
    // Reported once: the caller that saw it decides what the loss means (the run ends FAILED).
    await expect(sink.durable()).resolves.toBeUndefined();
    expect(observed).toEqual(['kept', 'after']);
  });
});

describe('EventSink.relayStored', () => {
  it("tells watchers a worker's events of the task once, and reads nothing when nobody watches", async () => {
    const { store, executionId } = await openSqliteRun('relayed');
    let reads = 0;
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'readEvents')
          return (...args: Parameters<ExecutionStore['readEvents']>) => {
            reads += 1;
            return target.readEvents(...args);
          };
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const bus = new EventBus();
    const sink = new EventSink(counting, executionId, bus);
    await sink.emit({ type: 'warning', taskId: null, code: 'TEST', message: 'own' });
    const worker = (message: string, taskId: string) =>
      store.append({
        type: 'warning',
        executionId,
        timestamp: new Date().toISOString(),
        taskId,
        code: 'WORKER',
        message,
      });
    await worker('first step', 'root.1');
    // Nobody watches: no read of the store.
    await sink.relayStored('root.1', sink.lastStoredSeq);
    expect(reads).toBe(0);

    const relayed: string[] = [];
    sink.observe((event) => relayed.push(event.type === 'warning' ? event.message : event.type), {
      relayed: true,
    });
    const ownOnly: string[] = [];
    sink.observe((event) => ownOnly.push(event.type));
    await worker('second step', 'root.1');
    await worker("a sibling's step", 'root.2');
    await sink.relayStored('root.1', sink.lastStoredSeq);
    // Asked again (a step ending twice): nothing is told twice.
    await sink.relayStored('root.1', sink.lastStoredSeq);
    expect(reads).toBe(2);
    expect(relayed).toEqual(['first step', 'second step']);
    // Budgets observe only the run's own events: a worker's usage comes with its step's result.
    expect(ownOnly).toEqual([]);
  });
});
