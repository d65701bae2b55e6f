// LISTEN/NOTIFY: a follower in one store object wakes on an append committed through another (another process's
// pool) long before its poll would; without the listener's wake-up it would wait the whole poll interval.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../contracts/index.js';
import { appendChannel, PostgresAppendListener } from './postgres-append-listener.js';
import { PostgresExecutionStore } from './postgres-execution-store.js';
import { adminQuery, dropTestSchema, TEST_DATABASE_URL, uniqueTestName } from './testing/test-database.js';
import { warningEvent } from './testing/test-events.js';

const schema = uniqueTestName();
const stores: PostgresExecutionStore[] = [];

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
const available = await reachable();

afterAll(async () => {
  for (const store of stores) await store.close();
  if (available) await dropTestSchema(schema);
});

describe.skipIf(!available)('PostgreSQL follow with LISTEN/NOTIFY', () => {
  it('wakes a follower on another store object’s append at once, though it polls only every 60 s', async () => {
    const reader = await PostgresExecutionStore.open({ connectionString: TEST_DATABASE_URL, schema });
    const writer = await PostgresExecutionStore.open({ connectionString: TEST_DATABASE_URL, schema });
    stores.push(reader, writer);
    const id = `run-notify-${Date.now()}`;
    const timestamp = () => new Date().toISOString();
    await writer.createExecution({ id, goal: 'notify' });
    await writer.append({
      type: 'execution-start',
      executionId: id,
      timestamp: timestamp(),
      goal: 'notify',
      rootTaskId: 'root',
      options: {},
    });

    const controller = new AbortController();
    const received: StreamEvent[] = [];
    const following = (async () => {
      for await (const event of reader.follow(id, { pollIntervalMs: 60_000, signal: controller.signal })) {
        received.push(event);
        if (received.length === 3) controller.abort();
      }
    })();
    // The stored event first (replay), then wait until LISTEN is up before appending the live ones.
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => reader.listening, { timeout: 10_000 }).toBe(true);
    await writer.append(warningEvent(id, 'one', 'A'));
    await writer.append(warningEvent(id, 'two', 'B'));
    // Polling alone would not wake it before the test's 30 s timeout: only the NOTIFY can end this wait.
    await following;
    expect(received.map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it('tells the store each time LISTEN is (re-)established, so its followers read what went unheard', async () => {
    const closed = new AbortController();
    const channel = appendChannel(uniqueTestName());
    let established = 0;
    const listener = new PostgresAppendListener({
      connectionString: TEST_DATABASE_URL,
      channel,
      onAppend: () => undefined,
      onListening: () => {
        established += 1;
      },
      closedSignal: closed.signal,
    });
    try {
      listener.ensureStarted();
      await expect.poll(() => established, { timeout: 10_000 }).toBe(1);
      // Its connection dropped (a restart, a failover): it comes back by itself and says so again.
      await adminQuery((client) =>
        client.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = 'roma-listen' AND query LIKE $1`,
          [`%${channel}%`],
        ),
      );
      await expect.poll(() => established, { timeout: 10_000 }).toBe(2);
      expect(listener.listening).toBe(true);
    } finally {
      closed.abort();
    }
  });
});
