// The REST API over real HTTP: every route, API keys, Host check, limits, and each error status.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../contracts/index.js';
import { ApiErrorBodySchema, StreamEventSchema } from '../contracts/index.js';
import { type RunningApiServer, startApiServer } from './api-server.js';
import { openTestApiRuntime, seedArtifactRun, type TestApiRuntime } from './api-test-support.js';
import { parseApiKeys } from './security/index.js';

const KEY = 'test-key-0123456789abcdef';
const dataDir = mkdtempSync(join(tmpdir(), 'roma-api-'));
let test: TestApiRuntime;
let server: RunningApiServer;
let open: RunningApiServer;
let completedId: string;

const auth = { authorization: `Bearer ${KEY}` };
async function call(path: string, init: RequestInit = {}, base = server.url) {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: { ...auth, ...(init.headers as Record<string, string>) },
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions that read them
  return { status: response.status, headers: response.headers, text, json: json as Record<string, any> };
}
async function waitForEnd(id: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const { json } = await call(`/api/v1/executions/${id}`);
    if (json.status !== 'RUNNING') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${id} did not end`);
}
function expectError(
  result: { status: number; json: unknown; text: string },
  status: number,
  code: string,
  field?: string,
) {
  expect(result.status, result.text).toBe(status);
  const body = ApiErrorBodySchema.parse(result.json);
  expect(body.error.code).toBe(code);
  if (field) expect(body.error.field).toBe(field);
  expect(result.text).not.toMatch(/\bat .*\.ts:\d+/);
  expect(result.text).not.toContain(KEY);
}

beforeAll(async () => {
  test = await openTestApiRuntime({ dataDir });
  server = await startApiServer({
    runtime: test.runtime,
    keys: parseApiKeys(KEY),
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 10_000,
    requestsPerMinute: 100_000,
  });
  open = await startApiServer({
    runtime: test.runtime,
    keys: parseApiKeys(''),
    host: '127.0.0.1',
    port: 0,
    requestsPerMinute: 5,
  });
  const started = await call('/api/v1/executions', {
    method: 'POST',
    body: JSON.stringify({ goal: test.demoGoal }),
  });
  expect(started.status, started.text).toBe(202);
  completedId = started.json.id;
  await waitForEnd(completedId);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await open?.close();
  await test?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('REST routes', () => {
  it('POST /executions answers 202 with the id, a Location and links', async () => {
    const started = await call('/api/v1/executions', {
      method: 'POST',
      body: JSON.stringify({ goal: test.demoGoal, metadata: { who: 'test' } }),
    });
    expect(started.status).toBe(202);
    expect(started.json.links.stream).toBe(`/api/v1/executions/${started.json.id}/stream`);
    expect(started.headers.get('location')).toBe(`/api/v1/executions/${started.json.id}`);
    const fetched = await call(started.json.links.self);
    expect(fetched.status).toBe(200);
    expect(fetched.json.id).toBe(started.json.id);
    await waitForEnd(started.json.id);
  });

  it('GET /executions pages and filters by status', async () => {
    const all = await call('/api/v1/executions?limit=1');
    expect(all.status).toBe(200);
    expect(all.json.items).toHaveLength(1);
    expect(all.json.next).toBe('/api/v1/executions?limit=1&offset=1');
    const second = await call(all.json.next);
    expect(second.json.items[0].id).not.toBe(all.json.items[0].id);
    const completed = await call('/api/v1/executions?status=COMPLETED&limit=500');
    expect(completed.json.items.map((item: { id: string }) => item.id)).toContain(completedId);
    expect(completed.json.items.every((item: { status: string }) => item.status === 'COMPLETED')).toBe(true);
  });

  it('GET /:id, /tree (also up to a seq), /events?after=, /costs, /llm-calls, /export agree with the log', async () => {
    const summary = await call(`/api/v1/executions/${completedId}`);
    expect(summary.json.status).toBe('COMPLETED');
    const tree = await call(`/api/v1/executions/${completedId}/tree`);
    expect(tree.json.nodes).toHaveLength(summary.json.nodeCount);
    expect(tree.json.nodes.every((node: { status: string }) => node.status === 'COMPLETED')).toBe(true);
    const early = await call(`/api/v1/executions/${completedId}/tree?seq=3`);
    expect(early.json.seq).toBe(3);
    expect(early.json.nodes.length).toBeLessThan(tree.json.nodes.length);

    const page = await call(`/api/v1/executions/${completedId}/events?after=5&limit=10`);
    expect(page.json.events.map((event: StreamEvent) => event.seq)).toEqual([
      6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ]);
    expect(page.json.next).toBe(`/api/v1/executions/${completedId}/events?after=15&limit=10`);

    const costs = await call(`/api/v1/executions/${completedId}/costs`);
    const calls = await call(`/api/v1/executions/${completedId}/llm-calls`);
    expect(calls.json.calls.length).toBe(costs.json.total.calls);
    expect(costs.json.total.calls).toBeGreaterThan(0);
    expect(Object.keys(costs.json.byModule)).toContain('planner');
    expect(costs.json.byModel['openai:roma-demo-scripted'].calls).toBe(costs.json.total.calls);
    expect(costs.json.total.costUsd).toBeCloseTo(summary.json.usage.costUsd, 9);

    const exported = await call(`/api/v1/executions/${completedId}/export`);
    expect(exported.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = exported.text
      .trim()
      .split('\n')
      .map((line) => StreamEventSchema.parse(JSON.parse(line)));
    expect(lines).toHaveLength(summary.json.lastSeq);
    expect(lines.map((event) => event.seq)).toEqual(lines.map((_event, index) => index + 1));
  });

  it('lists and downloads artifacts with their sha256 and content type', async () => {
    const id = await seedArtifactRun(test.runtime, 'report.csv', 'a,b\n1,2\n');
    const listing = await call(`/api/v1/executions/${id}/artifacts`);
    expect(listing.json.artifacts).toEqual([
      expect.objectContaining({ name: 'report.csv', taskId: 'root', bytes: 8, mimeType: 'text/csv' }),
    ]);
    expect(listing.text).not.toContain('file://');
    const download = await call(listing.json.artifacts[0].download);
    expect(download.status).toBe(200);
    expect(download.text).toBe('a,b\n1,2\n');
    expect(download.headers.get('content-type')).toBe('text/csv');
    const { createHash } = await import('node:crypto');
    expect(download.headers.get('x-content-sha256')).toBe(
      createHash('sha256').update('a,b\n1,2\n').digest('hex'),
    );
    expect(listing.json.artifacts[0].sha256).toBe(download.headers.get('x-content-sha256'));
    expectError(await call(`/api/v1/executions/${id}/artifacts/missing.txt`), 404, 'NOT_FOUND', 'name');
  });

  it('cancels a running run (202), then 409 for cancelling or resuming a finished one; resume continues a cancelled one', async () => {
    const started = await call('/api/v1/executions', {
      method: 'POST',
      body: JSON.stringify({ goal: test.demoGoal }),
    });
    const cancelled = await call(`/api/v1/executions/${started.json.id}/cancel`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'test' }),
    });
    expect(cancelled.status, cancelled.text).toBe(202);
    await waitForEnd(started.json.id);
    const after = await call(`/api/v1/executions/${started.json.id}`);
    expect(after.json.status).toBe('CANCELLED');
    expectError(
      await call(`/api/v1/executions/${started.json.id}/cancel`, { method: 'POST' }),
      409,
      'CONFLICT',
    );
    const resumed = await call(`/api/v1/executions/${started.json.id}/resume`, { method: 'POST' });
    expect(resumed.status, resumed.text).toBe(202);
    await waitForEnd(started.json.id);
    expect((await call(`/api/v1/executions/${started.json.id}`)).json.status).toBe('COMPLETED');
    expectError(
      await call(`/api/v1/executions/${completedId}/resume`, { method: 'POST', body: '{}' }),
      409,
      'CONFLICT',
    );
  });

  it('health, ready, metrics, openapi and the docs page answer', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', demo: true, authRequired: true });
    const ready = await call('/ready');
    expect(ready.status).toBe(200);
    expect(ready.json.ready).toBe(true);
    const metrics = await call('/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toMatch(/roma_runs\{status="COMPLETED"\} [1-9]/);
    expect(metrics.text).toMatch(/roma_model_calls [1-9]/);
    for (const name of [
      'roma_tasks',
      'roma_tokens',
      'roma_cost_usd',
      'roma_cache_hits',
      'roma_sandbox_runs',
      'roma_tool_calls',
      'roma_stream_clients',
    ]) {
      expect(metrics.text).toContain(`# TYPE ${name} gauge`);
    }
    const docs = await fetch(`${server.url}/docs`);
    expect(await docs.text()).toContain('/api/v1/executions/{id}/stream');
  });
});

describe('errors and security', () => {
  it('400 names the field of a bad body, query or id', async () => {
    expectError(
      await call('/api/v1/executions', { method: 'POST', body: '{"goal":""}' }),
      400,
      'VALIDATION_FAILED',
      'body.goal',
    );
    expectError(
      await call('/api/v1/executions', { method: 'POST', body: '{"goal":"x","extra":1}' }),
      400,
      'VALIDATION_FAILED',
      'body',
    );
    expectError(
      await call('/api/v1/executions', { method: 'POST', body: '{"goal":"x","maxDepth":99}' }),
      400,
      'VALIDATION_FAILED',
      'body.maxDepth',
    );
    expectError(
      await call('/api/v1/executions', { method: 'POST', body: 'not json' }),
      400,
      'VALIDATION_FAILED',
      'body',
    );
    expectError(await call('/api/v1/executions?limit=0'), 400, 'VALIDATION_FAILED', 'query.limit');
    expectError(await call('/api/v1/executions?status=DONE'), 400, 'VALIDATION_FAILED', 'query.status');
    expectError(
      await call(`/api/v1/executions/${completedId}/events?after=-1`),
      400,
      'VALIDATION_FAILED',
      'query.after',
    );
    expectError(
      await call(`/api/v1/executions/${completedId}/stream?after=x`),
      400,
      'VALIDATION_FAILED',
      'query.after',
    );
    expectError(await call('/api/v1/executions/%20bad'), 400, 'VALIDATION_FAILED', 'executionId');
  });

  it('per-run config: engine.* overrides are checked by the config schema; other sections are refused', async () => {
    expectError(
      await call('/api/v1/executions', {
        method: 'POST',
        body: JSON.stringify({ goal: test.demoGoal, config: { 'llm.model': 'x' } }),
      }),
      400,
      'VALIDATION_FAILED',
      'body.config.llm.model',
    );
    expectError(
      await call('/api/v1/executions', {
        method: 'POST',
        body: JSON.stringify({ goal: test.demoGoal, config: { 'engine.maxDepth': 99 } }),
      }),
      400,
      'VALIDATION_FAILED',
      'body.config.engine.maxDepth',
    );
    const accepted = await call('/api/v1/executions', {
      method: 'POST',
      body: JSON.stringify({ goal: test.demoGoal, maxConcurrency: 2, config: { 'engine.maxReplans': 0 } }),
    });
    expect(accepted.status, accepted.text).toBe(202);
    await waitForEnd(accepted.json.id);
  });

  it('a profile other than the server’s is a 400 naming body.profile', async () => {
    expectError(
      await call('/api/v1/executions', {
        method: 'POST',
        body: JSON.stringify({ goal: test.demoGoal, profile: 'prod' }),
      }),
      400,
      'VALIDATION_FAILED',
      'body.profile',
    );
  });

  it('404 for unknown ids and routes', async () => {
    for (const path of ['', '/tree', '/events', '/costs', '/llm-calls', '/export', '/artifacts', '/stream']) {
      expectError(await call(`/api/v1/executions/run-nope${path}`), 404, 'NOT_FOUND', 'executionId');
    }
    expectError(await call('/api/v1/executions/run-nope/cancel', { method: 'POST' }), 404, 'NOT_FOUND');
    expectError(await call('/api/v1/nothing'), 404, 'NOT_FOUND', 'path');
  });

  it('401 without a key or with a wrong one; public pages need none', async () => {
    expectError(
      await call('/api/v1/executions', { headers: { authorization: '' } }),
      401,
      'UNAUTHORIZED',
      'authorization',
    );
    expectError(
      await call('/api/v1/executions', { headers: { authorization: 'Bearer wrong-key-0123456789' } }),
      401,
      'UNAUTHORIZED',
    );
    expectError(await call('/metrics', { headers: { authorization: '' } }), 401, 'UNAUTHORIZED');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(200);
  });

  it('403 for a Host that is not this server (DNS rebinding); a positive control passes', async () => {
    const { request } = await import('node:http');
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/health`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await get('evil.example:8000')).toBe(403);
    expect(await get(`localhost:${server.port}`)).toBe(200);
  });

  it('413 for a body over the limit', async () => {
    const big = JSON.stringify({ goal: 'x'.repeat(20_000) });
    expectError(
      await call('/api/v1/executions', { method: 'POST', body: big }),
      413,
      'PAYLOAD_TOO_LARGE',
      'body',
    );
  });

  it('429 with Retry-After past the rate limit (per client)', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let index = 0; index < 8; index += 1) {
      last = await call('/api/v1/executions?limit=1', {}, open.url);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    expectError(last!, 429, 'RATE_LIMITED');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('refuses to listen on a non-loopback address without keys', async () => {
    await expect(
      startApiServer({ runtime: test.runtime, keys: parseApiKeys(''), host: '0.0.0.0', port: 0 }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', field: 'server.host' });
    expect(() => parseApiKeys('short')).toThrow(/shorter than 16/);
  });
});
