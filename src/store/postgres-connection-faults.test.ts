// Dropped PostgreSQL connections (pg_terminate_backend, as a failover or restart does): no crash, no lost or
// doubled append, and a clear STORE_FAILED when the server stays away.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresExecutionStore } from './postgres-execution-store.js';
import { CuttablePostgresProxy, terminateBackends } from './testing/postgres-faults-kit.js';
import { dropTestSchema, TEST_DATABASE_URL, uniqueTestName } from './testing/test-database.js';
import { warningEvent } from './testing/test-events.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function openStore(options: { applicationName: string; connectionString?: string; attempts?: number }) {
  const schema = uniqueTestName();
  const store = await PostgresExecutionStore.open({
    connectionString: options.connectionString ?? TEST_DATABASE_URL,
    schema,
    applicationName: options.applicationName,
    connectionTimeoutMs: 2_000,
    retry: { attempts: options.attempts ?? 8, initialDelayMs: 20, maxDelayMs: 200 },
  });
  cleanups.push(async () => {
    await store.close();
    await dropTestSchema(schema);
  });
  return store;
}

/** A run on a store of its own whose connections carry a unique application name, for the terminator to find. */
async function openNamedRun(goal: string, attempts?: number) {
  const applicationName = uniqueTestName(8);
  const store = await openStore({ applicationName, ...(attempts ? { attempts } : {}) });
  const id = `run-${randomUUID()}`;
  await store.createExecution({ id, goal });
  return { applicationName, store, id };
}

/** Ends `applicationName`'s server processes every ~15 ms (at most 40 rounds) until stopped; says how many it ended. */
function keepTerminating(applicationName: string): { stop(): Promise<number> } {
  let running = true;
  let terminated = 0;
  const rounds = (async () => {
    for (let round = 0; round < 40 && running; round += 1) {
      terminated += await terminateBackends(applicationName);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await rounds;
      return terminated;
    },
  };
}

describe('PostgresExecutionStore when its connections are terminated', () => {
  it('keeps appending through repeated pg_terminate_backend: gap-free, nothing lost, nothing doubled', async () => {
    // Terminations every ~20 ms for up to 40 rounds: the retry budget (20 tries, up to 200 ms apart) must outlast
    // them, or an unlucky append runs out of tries while every connection it gets is killed (seen on a busy host).
    const { applicationName, store, id } = await openNamedRun('survive terminations', 20);

    const terminator = keepTerminating(applicationName);
    let terminated = 0;
    const total = 150;
    try {
      // Two writers at once, so terminations land mid-transaction and at COMMIT as well as on idle clients.
      await Promise.all(
        [0, 1].map(async (writer) => {
          for (let index = writer; index < total; index += 2)
            await store.append(warningEvent(id, `event ${index}`));
        }),
      );
    } finally {
      terminated = await terminator.stop();
    }
    expect(terminated).toBeGreaterThan(0);
    const events = await store.readEvents(id);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    const messages = events.map((event) => (event.type === 'warning' ? event.message : ''));
    expect(new Set(messages).size).toBe(total);
    expect((await store.getExecution(id))?.lastSeq).toBe(total);
  }, 60_000);

  it('keeps batches of appends made together whole through pg_terminate_backend: gap-free, none doubled', async () => {
    const { applicationName, store, id } = await openNamedRun('survive terminations in batches', 20);
    const terminator = keepTerminating(applicationName);
    let terminated = 0;
    const rounds = 30;
    const perRound = 5;
    try {
      // Each round's appends are made without waiting for each other, so they share a transaction.
      for (let round = 0; round < rounds; round += 1) {
        const seqs = (
          await Promise.all(
            Array.from({ length: perRound }, (_, index) =>
              store.append(warningEvent(id, `round ${round} #${index}`)),
            ),
          )
        ).map((event) => event.seq);
        expect(seqs).toEqual(Array.from({ length: perRound }, (_, index) => round * perRound + index + 1));
      }
    } finally {
      terminated = await terminator.stop();
    }
    expect(terminated).toBeGreaterThan(0);
    const events = await store.readEvents(id);
    expect(events.map((event) => event.seq)).toEqual(
      Array.from({ length: rounds * perRound }, (_, index) => index + 1),
    );
    expect(new Set(events.map((event) => (event.type === 'warning' ? event.message : ''))).size).toBe(
      rounds * perRound,
    );
  }, 60_000);

  it('survives its idle connections being terminated (the next query reconnects)', async () => {
    const { applicationName, store, id } = await openNamedRun('idle');
    await store.append(warningEvent(id, 'before'));
    expect(await terminateBackends(applicationName)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await store.append(warningEvent(id, 'after'))).seq).toBe(2);
    expect((await store.readEvents(id)).map((event) => event.seq)).toEqual([1, 2]);
  });

  it('hears a FATAL that arrives in the same read as a new connection becoming ready (no unhandled error)', async () => {
    const proxy = new CuttablePostgresProxy();
    await proxy.open();
    cleanups.push(() => proxy.cut());
    const store = await openStore({
      applicationName: uniqueTestName(8),
      connectionString: proxy.url(),
    });
    // Four runs: appends to one run share a transaction (one connection), those to different runs do not.
    const ids = Array.from({ length: 4 }, () => `run-${randomUUID()}`);
    for (const id of ids) await store.createExecution({ id, goal: 'fatal on ready' });
    // An 'error' event nobody hears would surface here (and crash a real process) before the test ends.
    const uncaught: unknown[] = [];
    const monitor = (error: unknown) => uncaught.push(error);
    process.on('uncaughtExceptionMonitor', monitor);
    try {
      // Concurrent appends need new pool connections; the next three are killed as they become ready.
      proxy.fatalOnReadyConnections = 3;
      const appended = await Promise.all(
        ids.map((id, index) => store.append(warningEvent(id, `event ${index}`))),
      );
      expect(proxy.fatalOnReadyConnections).toBe(0);
      expect(appended.map((event) => event.seq)).toEqual([1, 1, 1, 1]);
    } finally {
      process.off('uncaughtExceptionMonitor', monitor);
    }
    expect(uncaught).toEqual([]);
    for (const id of ids) expect((await store.readEvents(id)).map((event) => event.seq)).toEqual([1]);
  });

  it('fails with a retryable STORE_FAILED naming the action when the server stays away, then recovers', async () => {
    const proxy = new CuttablePostgresProxy();
    await proxy.open();
    cleanups.push(() => proxy.cut());
    const store = await openStore({
      applicationName: uniqueTestName(8),
      connectionString: proxy.url(),
      attempts: 3,
    });
    const id = `run-${randomUUID()}`;
    await store.createExecution({ id, goal: 'outage' });
    await store.append(warningEvent(id, 'before the outage'));
    await proxy.cut();
    const failure = await store
      .append(warningEvent(id, 'during the outage'))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'STORE_FAILED', retryable: true });
    expect((failure as Error).message).toContain('append event');
    await proxy.open();
    expect((await store.append(warningEvent(id, 'after the outage'))).seq).toBe(2);
  });
});
