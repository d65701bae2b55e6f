// A run executing in another process (`roma demo`), streamed from this one over WebSocket and SSE: each client
// drops mid-run, reconnects after the last seq it got, and ends with every stored event exactly once, in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../config/index.js';
import type { Runtime } from '../../runtime/index.js';
import { openRuntime } from '../../runtime/index.js';
import { type RunningApiServer, startApiServer } from '../api-server.js';
import { apiRuntimeFrom } from '../runtime-adapter.js';
import { BEARER_SUBPROTOCOL_PREFIX, parseApiKeys } from '../security/index.js';
import { expectEveryEventOnce, streamChildRunWithDrops } from './stream-test-support.js';

const KEY = 'stream-key-0123456789abcdef';
const dataDir = mkdtempSync(join(tmpdir(), 'roma-stream-'));
const env = { ROMA_DATA_DIR: join(dataDir, 'data'), ROMA_CACHE_ENABLED: 'false', ROMA_LOG_LEVEL: 'warn' };
let runtime: Runtime;
let server: RunningApiServer;

beforeAll(async () => {
  // Only the stores in this process: the run itself executes in the child.
  runtime = await openRuntime(loadConfig({ cwd: dataDir, env }), { services: 'store', logName: 'server' });
  server = await startApiServer({
    runtime: apiRuntimeFrom(runtime),
    keys: parseApiKeys(KEY),
    host: '127.0.0.1',
    port: 0,
    requestsPerMinute: 100_000,
    stream: { pollIntervalMs: 50, heartbeatMs: 1_000 },
  });
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('streams across processes', { timeout: 120_000 }, () => {
  it('WebSocket and SSE clients drop mid-run, resume after their last seq, and get the stored log exactly once', async () => {
    expectEveryEventOnce(
      await streamChildRunWithDrops({
        server: { url: server.url, key: KEY },
        store: runtime.store,
        cwd: dataDir,
        env,
      }),
    );
  });

  it('refuses a stream of an unknown run (404) and without a key (401), before upgrading', async () => {
    const refused = (url: string, protocols: string[]) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url, protocols);
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('open', () => resolve(101));
        socket.on('error', () => undefined);
      });
    const base = server.url.replace('http', 'ws');
    expect(
      await refused(`${base}/api/v1/executions/run-nope/stream`, [
        'roma.v1',
        `${BEARER_SUBPROTOCOL_PREFIX}${KEY}`,
      ]),
    ).toBe(404);
    const [run] = await runtime.store.listExecutions({ limit: 1 });
    expect(await refused(`${base}/api/v1/executions/${run!.id}/stream`, ['roma.v1'])).toBe(401);
    expect(
      await refused(`${base}/api/v1/executions/${run!.id}/stream`, [
        'roma.v1',
        `${BEARER_SUBPROTOCOL_PREFIX}${KEY}`,
      ]),
    ).toBe(101);
  });
});
