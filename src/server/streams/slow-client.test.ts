// A client that stops reading is dropped with a close reason once its buffer passes the bound; memory stays bounded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../config/index.js';
import type { StreamEvent } from '../../contracts/index.js';
import type { Runtime } from '../../runtime/index.js';
import { openRuntime } from '../../runtime/index.js';
import { type RunningApiServer, startApiServer } from '../api-server.js';
import { apiRuntimeFrom } from '../runtime-adapter.js';
import { parseApiKeys } from '../security/index.js';
import { CLOSE_SLOW_CLIENT } from './ws-stream.js';

const dataDir = mkdtempSync(join(tmpdir(), 'roma-slow-'));
const EXECUTION = 'run-big-log';
let runtime: Runtime;
let server: RunningApiServer;

beforeAll(async () => {
  runtime = await openRuntime(
    loadConfig({ cwd: dataDir, env: { ROMA_DATA_DIR: dataDir, ROMA_LOG_LEVEL: 'warn' } }),
    {
      services: 'store',
    },
  );
  // ~24 MB of log: more than the kernel's socket buffers hold, so an unread client backs up into the server.
  const timestamp = new Date().toISOString();
  const events: StreamEvent[] = [
    {
      type: 'execution-start',
      executionId: EXECUTION,
      seq: 1,
      timestamp,
      goal: 'big',
      rootTaskId: 'root',
      options: {},
    },
  ];
  for (let seq = 2; seq <= 240; seq += 1) {
    events.push({
      type: 'warning',
      executionId: EXECUTION,
      seq,
      timestamp,
      taskId: null,
      code: 'BIG',
      message: 'x'.repeat(100_000),
    });
  }
  await runtime.store.importEvents(events);
  server = await startApiServer({
    runtime: apiRuntimeFrom(runtime),
    keys: parseApiKeys(''),
    host: '127.0.0.1',
    port: 0,
    stream: { maxBufferedBytes: 256_000, slowClientTimeoutMs: 300, heartbeatMs: 60_000 },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('slow stream clients', { timeout: 60_000 }, () => {
  it('drops a WebSocket client that stops reading, with close code 4008 and a reason naming the seq to resume after', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/executions/${EXECUTION}/stream`);
    let received = 0;
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', () => {
      received += 1;
    });
    await new Promise<void>((resolve) => socket.once('open', () => resolve()));
    // Stop reading at the TCP level, as a stuck or malicious client would.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    expect(server.streamClients.count).toBe(1);
    const deadline = Date.now() + 20_000;
    while (server.streamClients.count > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    // The server let go of the client without it reading on.
    expect(server.streamClients.count).toBe(0);
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code, reason } = await closed;
    expect(code).toBe(CLOSE_SLOW_CLIENT);
    expect(reason).toMatch(/^client too slow: .* reconnect with after=\d+/);
    // It was dropped part-way: not the whole log.
    expect(received).toBeLessThan(240);
  });

  it('drops an SSE client that stops reading, ending its stream with `event: close` and the reason', async () => {
    const { request } = await import('node:http');
    const url = new URL(`${server.url}/api/v1/executions/${EXECUTION}/stream`);
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, agent: false }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(response.headers['content-type']).toContain('text/event-stream');
    response.pause();
    expect(server.streamClients.count).toBe(1);
    const deadline = Date.now() + 20_000;
    while (server.streamClients.count > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.streamClients.count).toBe(0);
    let tail = '';
    let events = 0;
    response.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      events += (text.match(/^id: /gm) ?? []).length;
      tail = (tail + text).slice(-2_000);
    });
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    expect(tail).toMatch(/event: close\ndata: \{"reason":"client too slow: .*reconnect with after=\d+"\}/);
    expect(events).toBeLessThan(240);
  });

  it('positive control: a client that reads gets the whole big log', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/executions/${EXECUTION}/stream`);
    const seqs: number[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        seqs.push((JSON.parse(String(data)) as StreamEvent).seq);
        if (seqs.length === 240) resolve();
      });
      socket.on('close', (code) => reject(new Error(`closed ${code}`)));
    });
    socket.terminate();
    expect(seqs).toEqual(Array.from({ length: 240 }, (_value, index) => index + 1));
  });
});
