// `roma serve`: listens with the API app, takes WebSocket upgrades of /stream, and refuses unsafe binds.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { RomaError, toRomaError } from '../contracts/index.js';
import type { ApiRuntime } from './api-runtime.js';
import { type ApiAppOptions, createApiApp } from './app.js';
import type { DashboardAssets } from './dashboard-assets.js';
import { errorBody, httpStatusFor } from './http-status.js';
import { API_PREFIX } from './route-table.js';
import type { ApiKeySet } from './security/index.js';
import { Gate, hostName, isLoopbackHost } from './security/index.js';
import type { StreamOptions } from './streams/index.js';
import { DEFAULT_STREAM_OPTIONS, StreamClients, serveWebSocketStream } from './streams/index.js';

interface ApiServerOptions {
  runtime: ApiRuntime;
  keys: ApiKeySet;
  host: string;
  /** 0 picks a free port. */
  port: number;
  allowedHosts?: readonly string[];
  corsOrigins?: readonly string[];
  requestsPerMinute?: number;
  maxBodyBytes?: number;
  stream?: Partial<StreamOptions>;
  dashboard?: DashboardAssets | null;
  version?: string;
  logError?: (error: unknown) => void;
  /** roma as an MCP server at `/mcp`; `routes: 'mcp'` serves only it and `/health`. */
  mcp?: ApiAppOptions['mcp'];
  routes?: ApiAppOptions['routes'];
}

export interface RunningApiServer {
  url: string;
  port: number;
  host: string;
  streamClients: StreamClients;
  close(): Promise<void>;
}

const STREAM_PATH = new RegExp(`^${API_PREFIX}/executions/([^/]+)/stream$`);
/** Clients of a stream only listen: a frame from them never needs to be large. */
const MAX_CLIENT_FRAME_BYTES = 4_096;

function refuseUpgrade(socket: Duplex, error: RomaError, retryAfterSeconds?: number): void {
  const status = httpStatusFor(error.code);
  const body = JSON.stringify(errorBody(error));
  const retry = retryAfterSeconds ? `retry-after: ${retryAfterSeconds}\r\n` : '';
  socket.end(
    `HTTP/1.1 ${status} ${error.code}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${retry}connection: close\r\n\r\n${body}`,
  );
}

/** Without API keys anyone who can reach the port controls runs: only a loopback address is allowed then. */
function checkBindAddress(host: string, keys: ApiKeySet): void {
  if (keys.size === 0 && !isLoopbackHost(host)) {
    throw new RomaError('CONFIG_INVALID', `refusing to listen on ${host} without API keys`, {
      field: 'server.host',
      fix: 'set ROMA_API_KEYS=<long random key>[,<key>…] or listen on 127.0.0.1',
    });
  }
}

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  checkBindAddress(options.host, options.keys);
  const stream: StreamOptions = { ...DEFAULT_STREAM_OPTIONS, ...options.stream };
  const streamClients = new StreamClients(stream.maxClients);
  const gate = new Gate({
    keys: options.keys,
    hostPolicy: {
      allowedHosts: options.allowedHosts ?? [],
      bindHost: options.host,
      keysRequired: options.keys.size > 0,
    },
    requestsPerMinute: options.requestsPerMinute ?? 600,
  });
  const { app } = createApiApp({
    runtime: options.runtime,
    gate,
    corsOrigins: options.corsOrigins ?? [],
    maxBodyBytes: options.maxBodyBytes ?? 1_000_000,
    stream,
    streamClients,
    dashboard: options.dashboard ?? null,
    version: options.version ?? '0.1.0',
    ...(options.logError ? { logError: options.logError } : {}),
    ...(options.mcp ? { mcp: options.mcp } : {}),
    ...(options.routes ? { routes: options.routes } : {}),
  });
  const listener = getRequestListener(app.fetch);
  const server = createServer((incoming, outgoing) => {
    // A Host the URL parser cannot take would fail inside the adapter with a dropped socket: answer it here.
    if (hostName(incoming.headers.host) === null) {
      const error = new RomaError('VALIDATION_FAILED', 'the Host header is missing or malformed', {
        field: 'host',
      });
      const body = JSON.stringify(errorBody(error));
      incoming.resume();
      outgoing.writeHead(400, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      outgoing.end(body);
      return;
    }
    void listener(incoming, outgoing);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_FRAME_BYTES,
    // Echo the key-carrying subprotocol only as a fixed name: the key itself never goes back over the wire.
    handleProtocols: (protocols) => (protocols.has('roma.v1') ? 'roma.v1' : false),
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const match = STREAM_PATH.exec(url.pathname);
      if (!match)
        return refuseUpgrade(
          socket,
          new RomaError('NOT_FOUND', 'no WebSocket at this path', { field: 'path' }),
        );
      const decision = gate.admit({
        host: request.headers.host,
        authorization: request.headers.authorization,
        subprotocols: request.headers['sec-websocket-protocol'],
        remoteAddress: request.socket.remoteAddress,
      });
      if (!decision.ok) return refuseUpgrade(socket, decision.error, decision.retryAfterSeconds);
      let id: string;
      try {
        id = decodeURIComponent(match[1] ?? '');
      } catch {
        return refuseUpgrade(
          socket,
          new RomaError('VALIDATION_FAILED', 'executionId: bad escape', { field: 'executionId' }),
        );
      }
      const afterText = url.searchParams.get('after') ?? '0';
      if (!/^\d{1,15}$/.test(afterText)) {
        return refuseUpgrade(
          socket,
          new RomaError('VALIDATION_FAILED', 'after: must be a whole number ≥ 0 (a seq)', {
            field: 'query.after',
          }),
        );
      }
      const summary = await options.runtime.store.getExecution(id).catch((error: unknown) => {
        options.logError?.(error);
        return undefined;
      });
      if (summary === undefined)
        return refuseUpgrade(socket, new RomaError('STORE_FAILED', 'the server failed; see its log'));
      if (summary === null)
        return refuseUpgrade(
          socket,
          new RomaError('NOT_FOUND', `execution ${id} does not exist`, { field: 'executionId' }),
        );
      if (!streamClients.tryAdd()) {
        return refuseUpgrade(
          socket,
          new RomaError('RATE_LIMITED', 'too many stream clients', { retryable: true }),
          5,
        );
      }
      sockets.handleUpgrade(request, socket, head, (client) => {
        serveWebSocketStream(client, options.runtime.store, id, Number(afterText), stream, streamClients);
      });
    })().catch((error: unknown) => {
      options.logError?.(error);
      refuseUpgrade(socket, toRomaError(error));
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    host: options.host,
    streamClients,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
