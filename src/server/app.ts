// The API as a Hono app: REST under /api/v1, SSE streams, health/ready/metrics, OpenAPI, docs and the dashboard.

import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { StreamEvent } from '../contracts/index.js';
import {
  CancelExecutionRequestSchema,
  EventsQuerySchema,
  ListExecutionsQuerySchema,
  ResumeExecutionRequestSchema,
  RomaError,
  StartExecutionRequestSchema,
  toRomaError,
} from '../contracts/index.js';
import { foldTaskTree, foldTotals } from '../engine/index.js';
import type { McpHttpHandler } from '../mcp-server/index.js';
import type { ApiRuntime } from './api-runtime.js';
import { foldCosts } from './cost-breakdown.js';
import type { DashboardAssets } from './dashboard-assets.js';
import { renderDocsPage } from './docs-page.js';
import { errorResponse, httpStatusFor } from './http-status.js';
import { answerMcpRequest, MCP_PATH } from './mcp-endpoint.js';
import { createApiMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { checkExecutionId, parseJsonBody, parseQuery } from './request-input.js';
import { API_PREFIX } from './route-table.js';
import type { Gate } from './security/index.js';
import type { StreamOptions } from './streams/index.js';
import { StreamClients, sseResponse } from './streams/index.js';

export interface ApiAppOptions {
  runtime: ApiRuntime;
  gate: Gate;
  /** Origins allowed by CORS (server.corsOrigins); none by default. */
  corsOrigins: readonly string[];
  maxBodyBytes: number;
  stream: StreamOptions;
  streamClients?: StreamClients;
  dashboard?: DashboardAssets | null;
  version: string;
  /** Server errors (5xx) are logged here in full; clients get the code and a generic message. */
  logError?: (error: unknown) => void;
  /** roma as an MCP server at `/mcp` (streamable HTTP), behind the same gate. */
  mcp?: McpHttpHandler;
  /** `mcp`: serve only `/health` and `/mcp` (`roma mcp serve --http`). Default `all`. */
  routes?: 'all' | 'mcp';
}

type Env = { Bindings: { incoming?: { socket?: { remoteAddress?: string } } } };

function linksOf(id: string): Record<string, string> {
  const base = `${API_PREFIX}/executions/${encodeURIComponent(id)}`;
  return {
    self: base,
    tree: `${base}/tree`,
    events: `${base}/events`,
    stream: `${base}/stream`,
    cancel: `${base}/cancel`,
    resume: `${base}/resume`,
    artifacts: `${base}/artifacts`,
    export: `${base}/export`,
  };
}

function notFound(what: string, field = 'executionId'): RomaError {
  return new RomaError('NOT_FOUND', `${what} does not exist`, {
    field,
    fix: 'list runs with GET /api/v1/executions',
  });
}

export function createApiApp(options: ApiAppOptions): { app: Hono<Env>; streamClients: StreamClients } {
  const { runtime, gate } = options;
  const store = runtime.store;
  const streamClients = options.streamClients ?? new StreamClients(options.stream.maxClients);
  const metrics = createApiMetrics(store, {
    streamClients: () => streamClients.count,
    trackingStats: runtime.trackingStats,
    queueCounts: runtime.queueCounts,
    stepQueueCounts: runtime.stepQueueCounts,
  });
  const openApi = buildOpenApiDocument(options.version);
  const docsPage = renderDocsPage(openApi);
  const app = new Hono<Env>();

  const remoteAddress = (c: Context<Env>) => c.env?.incoming?.socket?.remoteAddress;
  const respondError = (error: unknown, c?: Context<Env>): Response => {
    const romaError = toRomaError(error);
    const status = httpStatusFor(romaError.code);
    if (status >= 500) {
      options.logError?.(error);
      // No stack, and no store/driver message (it may name hosts or credentials): the code says what failed.
      return errorResponse({
        code: romaError.code,
        message: 'the server failed; see its log',
        retryable: romaError.retryable,
      });
    }
    const response = errorResponse(romaError);
    const retryAfter =
      romaError.code === 'RATE_LIMITED' ? /retry after (\d+)/.exec(romaError.fix ?? '')?.[1] : undefined;
    if (retryAfter) response.headers.set('retry-after', retryAfter);
    void c;
    return response;
  };

  app.onError((error, c) => respondError(error, c));
  app.notFound(() =>
    respondError(new RomaError('NOT_FOUND', 'no such route', { field: 'path', fix: 'see /openapi.json' })),
  );

  if (options.corsOrigins.length > 0) {
    app.use(
      '*',
      cors({
        origin: [...options.corsOrigins],
        allowHeaders: ['authorization', 'content-type', 'last-event-id'],
        maxAge: 600,
      }),
    );
  }

  // Public pages still check the Host header: a rebound name must not even read the dashboard's runs list page.
  const publicPaths = new Set([
    '/',
    '/health',
    '/openapi.json',
    '/docs',
    '/assets/dashboard.js',
    '/favicon.ico',
  ]);
  app.use('*', async (c, next) => {
    const request = {
      host: c.req.header('host'),
      authorization: c.req.header('authorization'),
      remoteAddress: remoteAddress(c),
    };
    // The MCP endpoint admits its requests itself (it also checks Origin and passes the caller on).
    if (c.req.path === MCP_PATH && options.mcp) return next();
    const decision = publicPaths.has(c.req.path) ? gate.checkHost(request) : gate.admit(request);
    if (!decision.ok) return respondError(decision.error, c);
    await next();
  });

  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: () =>
      respondError(
        new RomaError('PAYLOAD_TOO_LARGE', `body larger than ${options.maxBodyBytes} bytes`, {
          field: 'body',
          fix: 'send a smaller body (server.maxBodyBytes)',
        }),
      ),
  });

  const requireExecution = async (id: string) => {
    checkExecutionId(id);
    const summary = await store.getExecution(id);
    if (!summary) throw notFound(`execution ${id}`);
    return summary;
  };
  const readLog = async (id: string): Promise<StreamEvent[]> => {
    await requireExecution(id);
    return store.readEvents(id);
  };

  // --- operations
  app.get('/health', (c) =>
    c.json({
      status: 'ok' as const,
      version: options.version,
      demo: runtime.demo !== undefined,
      ...(runtime.demo ? { demoGoal: runtime.demo.goal } : {}),
      authRequired: gate.keysRequired,
    }),
  );
  const mcp = options.mcp;
  if (mcp) {
    app.all(MCP_PATH, (c) =>
      answerMcpRequest(gate, mcp, { request: c.req.raw, remoteAddress: remoteAddress(c) }, (refused) =>
        respondError(refused.error, c),
      ),
    );
  }
  if (options.routes === 'mcp') return { app, streamClients };
  app.get('/ready', async (c) => {
    const checks = await runtime.checkReady();
    const ready = checks.every((check) => check.ok);
    return c.json({ ready, checks }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const { contentType, text } = await metrics.render();
    return c.body(text, 200, { 'content-type': contentType });
  });
  app.get('/openapi.json', (c) => c.json(openApi));
  app.get('/docs', (c) => c.html(docsPage));

  // --- dashboard
  const securityHeaders = {
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  app.get('/', (c) => {
    if (!options.dashboard) {
      return c.html(
        '<!doctype html><p>The dashboard is not built: run <code>npm run build</code>. The API is at <a href="/docs">/docs</a>.</p>',
        200,
        securityHeaders,
      );
    }
    return c.html(options.dashboard.html, 200, securityHeaders);
  });
  app.get('/assets/dashboard.js', (c) => {
    if (!options.dashboard)
      throw new RomaError('NOT_FOUND', 'the dashboard is not built', {
        field: 'path',
        fix: 'run `npm run build`',
      });
    return c.body(options.dashboard.script, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      ...securityHeaders,
    });
  });

  // --- runs
  const executions = `${API_PREFIX}/executions`;
  app.post(executions, limitBody, async (c) => {
    const request = parseJsonBody(StartExecutionRequestSchema, await c.req.text());
    const { executionId } = await runtime.runs.start(request);
    const links = linksOf(executionId);
    c.header('location', links.self ?? '');
    return c.json({ id: executionId, status: 'RUNNING', links }, 202);
  });
  app.get(executions, async (c) => {
    const query = parseQuery(ListExecutionsQuerySchema, c.req.url);
    const rows = await store.listExecutions({
      limit: query.offset + query.limit + 1,
      ...(query.status ? { status: query.status } : {}),
    });
    const items = rows.slice(query.offset, query.offset + query.limit);
    const more = rows.length > query.offset + query.limit;
    const next = more
      ? `${executions}?limit=${query.limit}&offset=${query.offset + query.limit}${query.status ? `&status=${query.status}` : ''}`
      : null;
    return c.json({ items, limit: query.limit, offset: query.offset, next });
  });
  app.get(`${executions}/:id`, async (c) => {
    const summary = await requireExecution(c.req.param('id'));
    return c.json({ ...summary, links: linksOf(summary.id) });
  });
  app.get(`${executions}/:id/tree`, async (c) => {
    const id = c.req.param('id');
    const seqText = new URL(c.req.url).searchParams.get('seq');
    const upTo = seqText === null ? null : Number(seqText);
    if (upTo !== null && !(Number.isSafeInteger(upTo) && upTo >= 0)) {
      throw new RomaError('VALIDATION_FAILED', 'query.seq: must be a whole number ≥ 0', {
        field: 'query.seq',
      });
    }
    const events = await readLog(id);
    const shown = upTo === null ? events : events.filter((event) => event.seq <= upTo);
    const tree = foldTaskTree(shown);
    return c.json({
      executionId: id,
      goal: tree.goal,
      rootTaskId: tree.rootTaskId,
      seq: shown.at(-1)?.seq ?? 0,
      nodes: [...tree.nodes.values()],
    });
  });
  app.get(`${executions}/:id/events`, async (c) => {
    const id = c.req.param('id');
    const query = parseQuery(EventsQuerySchema, c.req.url);
    const summary = await requireExecution(id);
    const events = await store.readEvents(id, { afterSeq: query.after, limit: query.limit });
    const last = events.at(-1)?.seq ?? query.after;
    const next =
      last < summary.lastSeq
        ? `${executions}/${encodeURIComponent(id)}/events?after=${last}&limit=${query.limit}`
        : null;
    return c.json({ events, lastSeq: summary.lastSeq, next });
  });
  app.get(`${executions}/:id/stream`, async (c) => {
    const id = c.req.param('id');
    const url = new URL(c.req.url);
    const afterText = url.searchParams.get('after') ?? c.req.header('last-event-id') ?? '0';
    const after = Number(afterText);
    if (!/^\d{1,15}$/.test(afterText) || !Number.isSafeInteger(after)) {
      throw new RomaError('VALIDATION_FAILED', 'after: must be a whole number ≥ 0 (a seq)', {
        field: url.searchParams.has('after') ? 'query.after' : 'last-event-id',
      });
    }
    await requireExecution(id);
    if (c.req.header('upgrade')?.toLowerCase() === 'websocket') {
      // Upgrades are taken by the node server before the app; reaching here means no WebSocket support.
      throw new RomaError('VALIDATION_FAILED', 'WebSocket upgrade not available here; use SSE', {
        field: 'upgrade',
      });
    }
    if (!streamClients.tryAdd()) {
      throw new RomaError('RATE_LIMITED', 'too many stream clients', {
        retryable: true,
        fix: 'retry after 5 s',
      });
    }
    return sseResponse(store, id, after, options.stream, streamClients, c.req.raw.signal);
  });
  app.post(`${executions}/:id/cancel`, limitBody, async (c) => {
    const id = c.req.param('id');
    const body = parseJsonBody(CancelExecutionRequestSchema, await c.req.text(), { emptyIsObject: true });
    const summary = await requireExecution(id);
    if (summary.status !== 'RUNNING') {
      throw new RomaError(
        'CONFLICT',
        `execution ${id} already ended (${summary.status}); nothing to cancel`,
        {
          field: 'executionId',
          fix: 'resume it first if you want it to run again',
        },
      );
    }
    await runtime.runs.cancel(id, body.reason ?? 'cancelled through the API');
    return c.json({ id, status: 'CANCEL_REQUESTED', links: linksOf(id) }, 202);
  });
  app.post(`${executions}/:id/resume`, limitBody, async (c) => {
    const id = c.req.param('id');
    const body = parseJsonBody(ResumeExecutionRequestSchema, await c.req.text(), { emptyIsObject: true });
    const summary = await requireExecution(id);
    if (summary.status === 'COMPLETED') {
      throw new RomaError('CONFLICT', `execution ${id} already completed; nothing to resume`, {
        field: 'executionId',
      });
    }
    await runtime.runs.resume(id, body);
    return c.json({ id, status: 'RUNNING', links: linksOf(id) }, 202);
  });
  const artifactsOf = (events: StreamEvent[]) =>
    events.flatMap((event) =>
      event.type === 'artifact-created' ? [{ taskId: event.taskId, artifact: event.artifact }] : [],
    );
  app.get(`${executions}/:id/artifacts`, async (c) => {
    const id = c.req.param('id');
    const listed = artifactsOf(await readLog(id)).map(({ taskId, artifact }) => {
      const { uri: _uri, ...rest } = artifact;
      const query = taskId ? `?taskId=${encodeURIComponent(taskId)}` : '';
      return {
        ...rest,
        taskId,
        download: `${linksOf(id).artifacts}/${encodeURIComponent(artifact.name)}${query}`,
      };
    });
    return c.json({ artifacts: listed });
  });
  app.get(`${executions}/:id/artifacts/:name`, async (c) => {
    const id = c.req.param('id');
    const name = c.req.param('name');
    const taskId = new URL(c.req.url).searchParams.get('taskId');
    const found = artifactsOf(await readLog(id))
      .filter((entry) => entry.artifact.name === name && (taskId === null || entry.taskId === taskId))
      .at(-1);
    if (!found) throw notFound(`artifact ${name} of execution ${id}`, 'name');
    const bytes = await runtime.artifacts.get(found.artifact.uri);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // Handed over in chunks so a large artifact is never copied whole into one response buffer.
        for (let offset = 0; offset < bytes.byteLength; offset += 65_536)
          controller.enqueue(bytes.subarray(offset, offset + 65_536));
        controller.close();
      },
    });
    return new Response(body, {
      headers: {
        'content-type': found.artifact.mimeType,
        'content-length': String(bytes.byteLength),
        'x-content-sha256': found.artifact.sha256,
        etag: `"${found.artifact.sha256}"`,
        'content-disposition': `attachment; filename="${encodeURIComponent(found.artifact.name)}"`,
        'x-content-type-options': 'nosniff',
      },
    });
  });
  app.get(`${executions}/:id/costs`, async (c) => {
    const events = await readLog(c.req.param('id'));
    return c.json({ ...foldCosts(events), usage: foldTotals(events).usage });
  });
  app.get(`${executions}/:id/llm-calls`, async (c) => {
    const events = await readLog(c.req.param('id'));
    return c.json({ calls: events.filter((event) => event.type === 'llm-call') });
  });
  app.get(`${executions}/:id/export`, async (c) => {
    const id = c.req.param('id');
    const events = await readLog(id);
    const text = events.map((event) => JSON.stringify(event)).join('\n') + '\n';
    return c.body(text, 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${encodeURIComponent(id)}.jsonl"`,
    });
  });
  return { app, streamClients };
}
