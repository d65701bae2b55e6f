// `roma ptc serve`: the PTC agent over HTTP (POST /execute, GET /health, GET /stats) and a WebSocket event stream.
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { WebSocketServer } from 'ws';
import type { NewStreamEvent } from '../../contracts/index.js';
import { PTCExecutionPlanSchema, parseJsonWith, RomaError, toRomaError } from '../../contracts/index.js';
import {
  bearerToken,
  errorBody,
  errorResponse,
  httpStatusFor,
  isLoopbackHost,
  matchApiKey,
  parseApiKeys,
} from '../../server/index.js';
import type { PtcAgent } from '../agent/ptc-agent.js';
import type { ToolProvider } from '../mcp/types.js';
import { PtcEventHub } from './event-hub.js';

export const PTC_EVENTS_PATH = '/events';
const MAX_BODY_BYTES = 5_000_000;
/** Bound on one WebSocket frame from a client: clients only subscribe, they never need to send data. */
const MAX_CLIENT_FRAME_BYTES = 4_096;
/**
 * Bound on the bytes queued for one subscriber that does not read: past it the subscriber is dropped (close
 * code 1008 with the reason), so paused clients cannot make one plan's output cost the service gigabytes.
 */
export const MAX_SUBSCRIBER_BUFFERED_BYTES = 4 * 1024 * 1024;
/** A dropped subscriber's socket is ended after this, whether or not it read the close frame. */
const DROP_GRACE_MS = 5_000;
/** WebSocket close codes: policy violation (too slow), try again later (too many subscribers). */
const CLOSE_TOO_SLOW = 1008;
const CLOSE_TRY_AGAIN_LATER = 1013;

/**
 * Browsers send `Origin` on every cross-site POST and every WebSocket handshake; the service's own clients
 * (the HTTP code agent, curl) send none. Refusing requests that carry one stops a web page the user visits
 * (or a DNS-rebound host name) from running plans with the host's tool credentials or reading the events.
 */
function fromBrowser(origin: string | null | undefined): boolean {
  return origin !== undefined && origin !== null && origin !== '';
}

interface PtcServiceOptions {
  agent: PtcAgent;
  tools?: ToolProvider;
  hub?: PtcEventHub;
  /** Required as `Authorization: Bearer <key>` on every request but /health (`ptc.serviceApiKey`). */
  apiKey?: string | undefined;
}

const UNAUTHORIZED = {
  code: 'UNAUTHORIZED' as const,
  message: 'missing or wrong bearer key',
  field: 'authorization',
  fix: 'send Authorization: Bearer <PTC_SERVICE_API_KEY>',
};

/** True when the request may pass: no key is configured, or it carries the key (compared in constant time). */
function authorizedBy(apiKey: string | undefined): (header: string | null | undefined) => boolean {
  if (apiKey === undefined) return () => true;
  const keys = parseApiKeys(apiKey);
  return (header) => matchApiKey(keys, bearerToken(header)) !== null;
}

/** Answers an upgrade request with a plain HTTP error and ends the socket (no WebSocket is opened). */
function refuseUpgrade(socket: Duplex, error: Parameters<typeof errorBody>[0]): void {
  const status = httpStatusFor(error.code);
  const body = JSON.stringify(errorBody(error));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nretry-after: 5\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The Hono app; the hub must also receive the agent's events (`onEvent`) for the stream to carry them. */
function createPtcServiceApp(
  options: PtcServiceOptions,
  authorized: (header: string | null | undefined) => boolean,
): { app: Hono; hub: PtcEventHub } {
  const hub = options.hub ?? new PtcEventHub();
  const app = new Hono();

  app.use('*', async (c, next) => {
    if (fromBrowser(c.req.header('origin'))) {
      return errorResponse(
        { code: 'VALIDATION_FAILED', message: 'requests from web pages are not accepted', field: 'origin' },
        403,
      );
    }
    // /health stays open: container healthchecks and `roma doctor` probe it without the key.
    if (c.req.path !== '/health' && !authorized(c.req.header('authorization'))) {
      return errorResponse(UNAUTHORIZED);
    }
    await next();
  });
  app.get('/health', (c) =>
    c.json({ status: 'ok', servers: options.tools?.status() ?? [], subscribers: hub.size }),
  );
  app.get('/stats', (c) => c.json(options.agent.stats()));

  const planTooLarge = () =>
    errorResponse({ code: 'VALIDATION_FAILED', message: 'plan too large', field: 'plan' }, 413);
  // bodyLimit stops reading at the bound (also for chunked bodies without Content-Length), so a huge body
  // is never buffered whole.
  app.post('/execute', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: planTooLarge }), async (c) => {
    const text = await c.req.text();
    const parsed = parseJsonWith(PTCExecutionPlanSchema, text, 'plan');
    if (!parsed.ok) {
      const path = parsed.issues[0]?.path;
      const field = path ? `plan.${path}` : 'plan';
      return errorResponse({ code: 'VALIDATION_FAILED', message: parsed.message, field });
    }
    const plan = parsed.value;
    try {
      // The agent publishes its events to the hub through onEvent; nothing else to persist here.
      const result = await options.agent.execute(plan, { signal: c.req.raw.signal, emit: () => undefined });
      return c.json(result);
    } catch (error) {
      const romaError = toRomaError(error, 'PTC_FAILED');
      const message = options.tools ? options.tools.redact(romaError.message) : romaError.message;
      return errorResponse({
        code: romaError.code,
        message,
        field: romaError.field,
        retryable: romaError.retryable,
        fix: romaError.fix,
      });
    } finally {
      hub.publish({
        type: 'ptc-execution-done',
        executionId: plan.executionId,
        taskId: plan.taskId,
        planId: plan.planId,
      });
    }
  });
  return { app, hub };
}

export interface RunningPtcService {
  url: string;
  port: number;
  hub: PtcEventHub;
  close(): Promise<void>;
}

/** Listens on `host:port` (port 0 picks a free one); WebSocket clients connect to `/events?executionId=…&taskId=…`. */
export async function startPtcService(
  options: PtcServiceOptions & { port: number; host?: string },
): Promise<RunningPtcService> {
  const host = options.host ?? '127.0.0.1';
  if (options.apiKey === undefined && !isLoopbackHost(host)) {
    // Anyone who reaches the port could run programs with the host's tool credentials.
    throw new RomaError(
      'CONFIG_INVALID',
      `the PTC service will not listen on ${host} without a key: anyone reaching it could run programs with its tools' credentials`,
      {
        field: 'ptc.serviceApiKey',
        fix: 'set PTC_SERVICE_API_KEY (e.g. `openssl rand -hex 24`) here and where its clients run, or listen on 127.0.0.1',
      },
    );
  }
  // One check for HTTP routes and WebSocket handshakes alike.
  const authorized = authorizedBy(options.apiKey);
  const { app, hub } = createPtcServiceApp(options, authorized);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => resolve(started));
    started.once('error', reject);
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== PTC_EVENTS_PATH || fromBrowser(request.headers.origin)) {
      socket.destroy();
      return;
    }
    if (!authorized(request.headers.authorization)) {
      refuseUpgrade(socket, UNAUTHORIZED);
      return;
    }
    if (hub.full) {
      refuseUpgrade(socket, {
        code: 'BUDGET_EXCEEDED',
        message: `too many event subscribers (at most ${hub.maxSubscribers})`,
        retryable: true,
        fix: 'close unused /events connections and retry',
      });
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client) => {
      const filter = {
        executionId: url.searchParams.get('executionId'),
        taskId: url.searchParams.get('taskId'),
      };
      let unsubscribe: (() => void) | null = null;
      const drop = (code: number, reason: string) => {
        unsubscribe?.();
        client.close(code, reason);
        setTimeout(() => client.terminate(), DROP_GRACE_MS).unref();
      };
      unsubscribe = hub.subscribe(filter, (_message, payload) => {
        // bufferedAmount counts what was queued but not yet written to the socket: a client that stopped reading.
        if (client.bufferedAmount > MAX_SUBSCRIBER_BUFFERED_BYTES) {
          drop(
            CLOSE_TOO_SLOW,
            `subscriber too slow: more than ${MAX_SUBSCRIBER_BUFFERED_BYTES} bytes unread`,
          );
          return;
        }
        // A text frame over the hub's shared bytes: queued without a copy per subscriber.
        client.send(payload, { binary: false });
      });
      // The hub may have filled between the check above and this callback (handshakes run concurrently).
      if (!unsubscribe) {
        drop(CLOSE_TRY_AGAIN_LATER, `too many event subscribers (at most ${hub.maxSubscribers})`);
        return;
      }
      client.on('close', unsubscribe);
      client.on('error', unsubscribe);
      client.send(JSON.stringify({ type: 'ptc-stream-open' }));
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    hub,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Connects an agent's `onEvent` to a hub (used when the agent is built before the service). */
export function publishTo(hub: PtcEventHub): (event: NewStreamEvent) => void {
  return (event) => hub.publish(event);
}
