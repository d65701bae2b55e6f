// The OpenAPI document validates, documents exactly the app's routes, and each route answers as documented;
// then 1,000+ malformed bodies, paths and headers never get a 5xx.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApiServer, startApiServer } from './api-server.js';
import { openTestApiRuntime, seedArtifactRun, type TestApiRuntime } from './api-test-support.js';
import { createApiApp } from './app.js';
import { buildOpenApiDocument } from './openapi.js';
import { Gate, parseApiKeys } from './security/index.js';
import { DEFAULT_STREAM_OPTIONS } from './streams/index.js';

const KEY = 'fuzz-key-0123456789abcdef';
const dataDir = mkdtempSync(join(tmpdir(), 'roma-api-fuzz-'));
let test: TestApiRuntime;
let server: RunningApiServer;
let runId: string;
let artifactRunId: string;

beforeAll(async () => {
  test = await openTestApiRuntime({ dataDir });
  server = await startApiServer({
    runtime: test.runtime,
    keys: parseApiKeys(KEY),
    host: '127.0.0.1',
    port: 0,
    requestsPerMinute: 1_000_000,
    maxBodyBytes: 20_000,
  });
  const response = await fetch(`${server.url}/api/v1/executions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ goal: test.demoGoal }),
  });
  runId = ((await response.json()) as { id: string }).id;
  await test.idle();
  artifactRunId = await seedArtifactRun(test.runtime, 'a.txt', 'hi');
}, 120_000);

afterAll(async () => {
  await server?.close();
  await test?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function raw(method: string, path: string, headers: Record<string, string>, body?: string | Buffer) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method, path, headers, agent: false },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          // SSE streams never end by themselves: the status is all a fuzz case needs.
          if (res.headers['content-type']?.includes('event-stream')) res.destroy();
        });
        res.on('close', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('OpenAPI', () => {
  it('validates as OpenAPI 3.1', async () => {
    const document = buildOpenApiDocument('test');
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents exactly the routes the app serves', () => {
    const { app } = createApiApp({
      runtime: test.runtime,
      gate: new Gate({
        keys: parseApiKeys(''),
        hostPolicy: { allowedHosts: [], bindHost: '127.0.0.1', keysRequired: false },
        requestsPerMinute: 60,
      }),
      corsOrigins: [],
      maxBodyBytes: 1_000,
      stream: DEFAULT_STREAM_OPTIONS,
      version: 'test',
    });
    const served = new Set(
      app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const paths = buildOpenApiDocument('test').paths as Record<string, Record<string, unknown>>;
    const documented = new Set(
      Object.entries(paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method} ${path}`),
      ),
    );
    // The dashboard's page and script are not API.
    served.delete('get /');
    served.delete('get /assets/dashboard.js');
    expect([...served].sort()).toEqual([...documented].sort());
  });

  it('walking the document: every operation answers a documented status with a body matching its schema', async () => {
    const document = buildOpenApiDocument('test') as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content: Record<string, { schema: object }> }> }>
      >;
      components: object;
    };
    const ajv = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: false });
    let walked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const url = path.includes('{name}')
          ? path.replace('{id}', artifactRunId).replace('{name}', 'a.txt')
          : path.replace('{id}', runId);
        const body =
          method === 'post'
            ? path.endsWith('/executions')
              ? JSON.stringify({ goal: test.demoGoal })
              : '{}'
            : undefined;
        // Cancel and resume of a completed run are 409 (documented); the rest succeed.
        const result = await raw(
          method.toUpperCase(),
          url,
          { authorization: `Bearer ${KEY}`, host: `127.0.0.1:${server.port}` },
          body,
        );
        expect(
          Object.keys(operation.responses),
          `${method} ${path} → ${result.status} ${result.text.slice(0, 200)}`,
        ).toContain(String(result.status));
        const content = operation.responses[String(result.status)]!.content;
        const json = content['application/json'];
        if (json && Object.keys(json.schema).length > 0) {
          const schema = '$ref' in json.schema ? { ...json.schema, ...document.components } : json.schema;
          const validate = ajv.compile(
            '$ref' in json.schema ? { $ref: '#/schemas/ApiErrorBody', ...document.components } : schema,
          );
          const ok = validate(JSON.parse(result.text));
          expect(ok, `${method} ${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
        }
        walked += 1;
      }
    }
    expect(walked).toBeGreaterThanOrEqual(18);
    await test.idle();
  });
});

/** Deterministic pseudo-random numbers, so a failure is reproducible. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

describe('fuzz', () => {
  it('1,200 malformed bodies, paths and headers: no 5xx, every error a JSON body without a stack', async () => {
    const random = generator(12);
    const junk = [
      '',
      ' ',
      '{',
      '[]',
      'null',
      '0',
      '"x"',
      '{"goal":5}',
      '{"goal":null}',
      '{"goal":"x","maxDepth":-1}',
      '{"reason":7}',
      '{"budgetUsd":-5}',
      '{"force":"yes"}',
      '{"config":{"a":{"b":1}}}',
      '{"metadata":{"":"x"}}',
      '\u0000\u0001',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
      '9'.repeat(400),
      `[${'['.repeat(5_000)}`,
      'x'.repeat(30_000),
    ];
    const ids = [
      runId,
      artifactRunId,
      'run-nope',
      '..',
      '%2e%2e',
      '%00',
      '%',
      '%zz',
      'a'.repeat(300),
      '%F0%9F%98%80',
      "'; DROP TABLE events;--",
      '{id}',
      '%0d%0aSet-Cookie:x',
    ];
    const tails = [
      '',
      '/tree',
      '/events',
      '/stream',
      '/cancel',
      '/resume',
      '/artifacts',
      '/artifacts/%2e%2e%2fetc%2fpasswd',
      '/artifacts/a.txt',
      '/costs',
      '/llm-calls',
      '/export',
      '/x',
      '//',
    ];
    const queries = [
      '',
      '?after=-1',
      '?after=1e400',
      '?after=abc',
      '?after=99999999999999999999',
      '?limit=0',
      '?limit=999999',
      '?seq=-3',
      '?seq=x',
      '?status=%00',
      '?offset=-1',
      '?limit=1&limit=x',
      '?taskId=%FF',
      '?a[b]=c',
    ];
    const others = [
      '/',
      '/health',
      '/ready',
      '/metrics',
      '/openapi.json',
      '/docs',
      '/api',
      '/api/v1',
      '/api/v1/executions',
      '/%',
      '/..%2f..%2f',
      '/assets/dashboard.js',
      '/api/v1/executions/',
    ];
    const authorizations = [
      `Bearer ${KEY}`,
      `Bearer ${KEY}`,
      `Bearer ${KEY}x`,
      'Bearer',
      'Basic abc',
      `bearer ${KEY}`,
      'Bearer \u00ff',
      '',
      'x'.repeat(8_000),
    ];
    const hosts = [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      'evil.example',
      '',
      '[::1]:1',
      'a:b:c',
      '127.0.0.1:99999999',
      '%00',
    ];
    const contentTypes = [
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      '',
    ];
    let sent = 0;
    const statuses = new Map<number, number>();
    for (let index = 0; index < 1_200; index += 1) {
      const kind = random.next();
      const path =
        kind < 0.7
          ? `/api/v1/executions/${random.pick(ids)}${random.pick(tails)}${random.pick(queries)}`
          : `${random.pick(others)}${random.pick(queries)}`;
      const method = random.pick(['GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
      const headers: Record<string, string> = {
        host: random.pick(hosts),
        authorization: random.pick(authorizations),
        'content-type': random.pick(contentTypes),
      };
      if (random.next() < 0.2) headers['last-event-id'] = random.pick(['-1', 'x', '1e9', '', '5']);
      if (random.next() < 0.1) headers.upgrade = 'websocket';
      const body = method === 'GET' || method === 'HEAD' ? undefined : random.pick(junk);
      let result: { status: number; text: string };
      try {
        result = await raw(method, path, headers, body);
      } catch (error) {
        // The client refused to send it (an invalid header value): nothing reached the server.
        if (
          /Invalid character|ERR_INVALID|ERR_UNESCAPED/.test(
            String((error as Error).message) + String((error as { code?: string }).code),
          )
        )
          continue;
        throw new Error(
          `${method} ${path} ${JSON.stringify(headers).slice(0, 300)}: ${(error as Error).message}`,
        );
      }
      sent += 1;
      statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
      expect(
        result.status,
        `${method} ${path} ${JSON.stringify(headers).slice(0, 200)} → ${result.text.slice(0, 300)}`,
      ).toBeLessThan(500);
      expect(result.text).not.toMatch(/\n\s+at .*:\d+:\d+/);
      expect(result.text).not.toContain(KEY);
    }
    expect(sent).toBeGreaterThanOrEqual(1_000);
    // Positive control: the fuzz reached real handlers, not only the gate.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(401) ?? 0).toBeGreaterThan(0);
    await test.idle();
  }, 240_000);
});
