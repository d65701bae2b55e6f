// The cross-process stream test on PostgreSQL: `roma demo` runs in a child process on a database of its own, and
// this process's API server streams it over WebSocket and SSE, woken by LISTEN/NOTIFY; each client drops mid-run,
// resumes after the last seq it got, and ends with every stored event exactly once, in order.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import type { Runtime } from '../../runtime/index.js';
import { openRuntime } from '../../runtime/index.js';
import { PostgresExecutionStore } from '../../store/index.js';
import { adminQuery, TEST_DATABASE_URL } from '../../store/testing/test-database.js';
import { type RunningApiServer, startApiServer } from '../api-server.js';
import { apiRuntimeFrom } from '../runtime-adapter.js';
import { parseApiKeys } from '../security/index.js';
import { expectEveryEventOnce, streamChildRunWithDrops } from './stream-test-support.js';

const KEY = 'stream-key-0123456789abcdef';
// A database of its own: DATABASE_URL is the only store setting the child takes, and it names a database.
const database = `roma_stream_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const databaseUrl = Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${database}` }).toString();
const dataDir = mkdtempSync(join(tmpdir(), 'roma-stream-pg-'));
const env = {
  ROMA_DATA_DIR: join(dataDir, 'data'),
  ROMA_CACHE_ENABLED: 'false',
  ROMA_LOG_LEVEL: 'warn',
  DATABASE_URL: databaseUrl,
};
let runtime: Runtime;
let server: RunningApiServer;

beforeAll(async () => {
  await adminQuery((client) => client.query(`CREATE DATABASE "${database}"`));
  runtime = await openRuntime(loadConfig({ cwd: dataDir, env }), { services: 'store', logName: 'server' });
  server = await startApiServer({
    runtime: apiRuntimeFrom(runtime),
    keys: parseApiKeys(KEY),
    host: '127.0.0.1',
    port: 0,
    requestsPerMinute: 100_000,
    // A poll far slower than the run: the live events of a leg come from the child's NOTIFYs.
    stream: { pollIntervalMs: 10_000, heartbeatMs: 1_000 },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  await adminQuery((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('streams across processes on PostgreSQL', { timeout: 120_000 }, () => {
  it('WebSocket and SSE clients drop mid-run, resume after their last seq, and get the stored log exactly once', async () => {
    expect(runtime.store).toBeInstanceOf(PostgresExecutionStore);
    const streams = await streamChildRunWithDrops({
      server: { url: server.url, key: KEY },
      store: runtime.store,
      cwd: dataDir,
      env,
    });
    expectEveryEventOnce(streams);
    // The followers listened: NOTIFY, not the 10 s poll, woke them.
    expect((runtime.store as PostgresExecutionStore).listening).toBe(true);
  });
});
