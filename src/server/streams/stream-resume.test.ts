// A run executing in another process (`roma demo`), streamed from this one over WebSocket and SSE: each client
// drops mid-run, reconnects after the last seq it got, and ends with every stored event exactly once, in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runRomaAsync } from '../../cli/commands/cli-test-support.js';
import { loadConfig } from '../../config/index.js';
import type { StreamEvent } from '../../contracts/index.js';
import { StreamEventSchema } from '../../contracts/index.js';
import type { Runtime } from '../../runtime/index.js';
import { openRuntime } from '../../runtime/index.js';
import { type RunningApiServer, startApiServer } from '../api-server.js';
import { apiRuntimeFrom } from '../runtime-adapter.js';
import { BEARER_SUBPROTOCOL_PREFIX, parseApiKeys } from '../security/index.js';

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

async function waitForRun(): Promise<string> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const [run] = await runtime.store.listExecutions({ limit: 1 });
    if (run) return run.id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the child never started a run');
}

/** Reads WebSocket events after `after` until `stopAt` of them arrived (then drops the socket) or the run ends. */
function readWebSocket(id: string, after: number, stopAt: number): Promise<StreamEvent[]> {
  return new Promise((resolve, reject) => {
    const url = `${server.url.replace('http', 'ws')}/api/v1/executions/${id}/stream?after=${after}`;
    const socket = new WebSocket(url, ['roma.v1', `${BEARER_SUBPROTOCOL_PREFIX}${KEY}`]);
    const events: StreamEvent[] = [];
    const timer = setTimeout(() => reject(new Error('WebSocket stream stalled')), 60_000);
    socket.on('message', (data) => {
      const event = StreamEventSchema.parse(JSON.parse(String(data)));
      events.push(event);
      if (events.length >= stopAt || event.type === 'execution-end') {
        clearTimeout(timer);
        // Dropped, not closed politely: the server must cope with a vanished client.
        socket.terminate();
        resolve(events);
      }
    });
    socket.on('error', reject);
  });
}

/** The same over SSE, resuming with Last-Event-ID like EventSource does. */
async function readSse(id: string, lastEventId: number, stopAt: number): Promise<StreamEvent[]> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/api/v1/executions/${id}/stream`, {
    headers: { authorization: `Bearer ${KEY}`, 'last-event-id': String(lastEventId) },
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  let buffer = '';
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      const id = /^id: (\d+)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (!id || !data) continue;
      const event = StreamEventSchema.parse(JSON.parse(data));
      expect(event.seq).toBe(Number(id));
      events.push(event);
      if (events.length >= stopAt || event.type === 'execution-end') {
        controller.abort();
        return events;
      }
    }
  }
  controller.abort();
  throw new Error('SSE stream ended early');
}

describe('streams across processes', { timeout: 120_000 }, () => {
  it('WebSocket and SSE clients drop mid-run, resume after their last seq, and get the stored log exactly once', async () => {
    const child = runRomaAsync(['demo', '--json', '--latency-ms', '120'], { cwd: dataDir, env });
    const id = await waitForRun();

    const viaWebSocket = (async () => {
      const received: StreamEvent[] = [];
      // Several drops: after 5 events, then 7 more, then to the end.
      for (const stopAt of [5, 7, Number.MAX_SAFE_INTEGER]) {
        received.push(...(await readWebSocket(id, received.at(-1)?.seq ?? 0, stopAt)));
      }
      return received;
    })();
    const viaSse = (async () => {
      const received: StreamEvent[] = [];
      for (const stopAt of [4, 9, Number.MAX_SAFE_INTEGER]) {
        received.push(...(await readSse(id, received.at(-1)?.seq ?? 0, stopAt)));
      }
      return received;
    })();
    const [ws, sse, done] = await Promise.all([viaWebSocket, viaSse, child]);
    expect(done.status, done.stderr).toBe(0);

    const stored = await runtime.store.readEvents(id);
    expect(stored.at(-1)?.type).toBe('execution-end');
    // The drops happened while the run was going: some events were appended after the first reconnect.
    expect(stored.length).toBeGreaterThan(20);
    for (const received of [ws, sse]) {
      expect(received.map((event) => event.seq)).toEqual(stored.map((event) => event.seq));
      expect(received).toEqual(stored);
    }
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
