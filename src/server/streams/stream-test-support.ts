// Test support for streams of a run executing in another process: WebSocket and SSE readers that drop mid-run
// and resume after their last seq, for any store the API server and the child share (SQLite, PostgreSQL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { runRomaAsync, waitForFirstRun } from '../../cli/commands/cli-test-support.js';
import { loadConfig } from '../../config/index.js';
import type { StreamEvent } from '../../contracts/index.js';
import { StreamEventSchema } from '../../contracts/index.js';
import { openRuntime, type Runtime } from '../../runtime/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { createTestDatabase, type TestDatabase } from '../../store/testing/test-database.js';
import { type RunningApiServer, startApiServer } from '../api-server.js';
import { apiRuntimeFrom } from '../runtime-adapter.js';
import { BEARER_SUBPROTOCOL_PREFIX, parseApiKeys } from '../security/index.js';

/** The API server a reader talks to, and the key it presents. */
export interface StreamServer {
  url: string;
  key: string;
}

/** This process's side of a cross-process stream test: the stores only (the run executes in a child) behind an API server. */
export interface StreamServerBed {
  dataDir: string;
  /** The store settings, which the child gets too. */
  env: Record<string, string>;
  runtime: Runtime;
  server: RunningApiServer;
  key: string;
  close(): Promise<void>;
}

/**
 * Opens the stores of a fresh data dir (with `postgres`, a database of its own: DATABASE_URL is the only store
 * setting the child takes, and it names a database) and an API server that streams them, polling every
 * `pollIntervalMs`.
 */
export async function openStreamServer(options: {
  postgres?: boolean;
  pollIntervalMs: number;
}): Promise<StreamServerBed> {
  const dataDir = mkdtempSync(join(tmpdir(), options.postgres ? 'roma-stream-pg-' : 'roma-stream-'));
  let database: TestDatabase | undefined;
  let runtime: Runtime | undefined;
  let server: RunningApiServer | undefined;
  const close = async () => {
    await server?.close();
    await runtime?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    if (options.postgres) database = await createTestDatabase();
    const env = {
      ROMA_DATA_DIR: join(dataDir, 'data'),
      ROMA_CACHE_ENABLED: 'false',
      ROMA_LOG_LEVEL: 'warn',
      ...(database ? { DATABASE_URL: database.url } : {}),
    };
    runtime = await openRuntime(loadConfig({ cwd: dataDir, env }), { services: 'store', logName: 'server' });
    const key = 'stream-key-0123456789abcdef';
    server = await startApiServer({
      runtime: apiRuntimeFrom(runtime),
      keys: parseApiKeys(key),
      host: '127.0.0.1',
      port: 0,
      requestsPerMinute: 100_000,
      stream: { pollIntervalMs: options.pollIntervalMs, heartbeatMs: 1_000 },
    });
    return { dataDir, env, runtime, server, key, close };
  } catch (error) {
    await close();
    throw error;
  }
}

const STALL_BOUND_MS = 60_000;

/** Reads WebSocket events after `after` until `stopAt` of them arrived (then drops the socket) or the run ends. */
export function readWebSocket(
  server: StreamServer,
  id: string,
  after: number,
  stopAt: number,
): Promise<StreamEvent[]> {
  return new Promise((resolve, reject) => {
    const url = `${server.url.replace('http', 'ws')}/api/v1/executions/${id}/stream?after=${after}`;
    const socket = new WebSocket(url, ['roma.v1', `${BEARER_SUBPROTOCOL_PREFIX}${server.key}`]);
    const events: StreamEvent[] = [];
    const timer = setTimeout(() => reject(new Error('WebSocket stream stalled')), STALL_BOUND_MS);
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
export async function readSse(
  server: StreamServer,
  id: string,
  lastEventId: number,
  stopAt: number,
): Promise<StreamEvent[]> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/api/v1/executions/${id}/stream`, {
    headers: { authorization: `Bearer ${server.key}`, 'last-event-id': String(lastEventId) },
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  let buffer = '';
  const deadline = Date.now() + STALL_BOUND_MS;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      const frameId = /^id: (\d+)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (!frameId || !data) continue;
      const event = StreamEventSchema.parse(JSON.parse(data));
      expect(event.seq).toBe(Number(frameId));
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

type StreamReader = (
  server: StreamServer,
  id: string,
  after: number,
  stopAt: number,
) => Promise<StreamEvent[]>;

/**
 * Reads in legs of `stops` events, each leg a new connection resuming after the last seq received; notes the
 * run's stored last seq at the first drop.
 */
async function readWithDrops(
  read: StreamReader,
  server: StreamServer,
  store: ExecutionStore,
  id: string,
  stops: readonly number[],
): Promise<{ received: StreamEvent[]; storedAtFirstDrop: number }> {
  const received: StreamEvent[] = [];
  let storedAtFirstDrop = -1;
  for (const stopAt of stops) {
    received.push(...(await read(server, id, received.at(-1)?.seq ?? 0, stopAt)));
    if (storedAtFirstDrop < 0) storedAtFirstDrop = (await store.getExecution(id))?.lastSeq ?? 0;
  }
  return { received, storedAtFirstDrop };
}

type CliRun = Awaited<ReturnType<typeof runRomaAsync>>;

export interface ChildRunStreams {
  /** The `roma demo` child's exit status and output. */
  child: CliRun;
  /** The run's log as stored once the child ended. */
  stored: StreamEvent[];
  viaWebSocket: StreamEvent[];
  viaSse: StreamEvent[];
  /** The stored last seq when each client first dropped, WebSocket then SSE. */
  storedAtFirstDrops: number[];
}

/**
 * Starts `roma demo` in a child process on the bed's stores and streams its run from the bed's server over
 * WebSocket and SSE at once; each client drops twice mid-run and resumes after the last seq it got.
 */
export async function streamChildRunWithDrops(bed: StreamServerBed): Promise<ChildRunStreams> {
  const server = { url: bed.server.url, key: bed.key };
  const store = bed.runtime.store;
  const childDone = runRomaAsync(['demo', '--json', '--latency-ms', '120'], {
    cwd: bed.dataDir,
    env: bed.env,
  });
  const id = await waitForFirstRun(store);
  const end = Number.MAX_SAFE_INTEGER;
  const [viaWebSocket, viaSse, child] = await Promise.all([
    readWithDrops(readWebSocket, server, store, id, [5, 7, end]),
    readWithDrops(readSse, server, store, id, [4, 9, end]),
    childDone,
  ]);
  return {
    child,
    stored: await store.readEvents(id),
    viaWebSocket: viaWebSocket.received,
    viaSse: viaSse.received,
    storedAtFirstDrops: [viaWebSocket.storedAtFirstDrop, viaSse.storedAtFirstDrop],
  };
}

/** Each client ended with every stored event exactly once, in order, and the drops happened mid-run. */
export function expectEveryEventOnce(streams: ChildRunStreams): void {
  expect(streams.child.status, streams.child.stderr).toBe(0);
  expect(streams.stored.at(-1)?.type).toBe('execution-end');
  // Each client first dropped mid-run: the run appended more after that, which the resumed stream had to carry.
  for (const storedAtDrop of streams.storedAtFirstDrops)
    expect(storedAtDrop).toBeLessThan(streams.stored.length);
  for (const received of [streams.viaWebSocket, streams.viaSse]) {
    expect(received.map((event) => event.seq)).toEqual(streams.stored.map((event) => event.seq));
    expect(received).toEqual(streams.stored);
  }
}
