// modelFetch behaves as fetch does for everything a provider sees — one suite run against both: replies, errors,
// event streams, encodings, redirects, aborts, refused connections, a reply too large to hold.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFetch } from './model-fetch.js';

let server: Server;
let base: string;
let closedPort: number;
const received: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];
let releaseStream: (() => void) | undefined;
const LARGE_BYTES = 17 * 1024 * 1024;

beforeAll(async () => {
  server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    received.push({ url: request.url ?? '', headers: request.headers, body });
    switch (request.url) {
      case '/json':
        response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-1' });
        response.end(JSON.stringify({ echo: body }));
        return;
      case '/bad':
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"bad request on purpose"}}');
        return;
      case '/events':
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: first\n\n');
        releaseStream = () => response.end('data: second\n\n');
        return;
      case '/gzip':
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        response.end(gzipSync(JSON.stringify({ zipped: true })));
        return;
      case '/redirect':
        response.writeHead(307, { location: '/json' });
        response.end();
        return;
      case '/empty':
        response.writeHead(204);
        response.end();
        return;
      case '/slow':
        setTimeout(() => response.end('late'), 5_000).unref();
        return;
      case '/large':
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(Buffer.alloc(LARGE_BYTES, 97));
        return;
      default:
        response.writeHead(404);
        response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The deepest `code` in an error's cause chain (or an AggregateError's errors). */
function codeOf(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; current && depth < 10; depth += 1) {
    if (typeof current.code === 'string') return current.code;
    current = (current.cause ?? current.errors?.[0]) as typeof current;
  }
  return undefined;
}

describe.each([
  ['fetch', fetch],
  ['modelFetch', modelFetch],
] as const)('%s', (_name, client) => {
  it('sends the method, headers and body, and reads status, headers and a JSON reply', async () => {
    const response = await client(`${base}/json`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
      body: '{"prompt":"hi"}',
    });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.statusText).toBe('OK');
    expect(response.headers.get('x-request-id')).toBe('req-1');
    expect(await response.json()).toEqual({ echo: '{"prompt":"hi"}' });
    const seen = received.at(-1)!;
    expect(seen.headers.authorization).toBe('Bearer test-key');
    expect(seen.body).toBe('{"prompt":"hi"}');
  });

  it('hands back an error status with its body', async () => {
    const response = await client(`${base}/bad`, { method: 'POST', body: '{}' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(400);
    expect(response.statusText).toBe('Bad Request');
    expect(await response.text()).toContain('bad request on purpose');
  });

  it('streams an event stream: the first event arrives before the server ends the reply', async () => {
    const response = await client(`${base}/events`, { method: 'POST', body: '{"stream":true}' });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data: first');
    releaseStream?.();
    let rest = '';
    for (let next = await reader.read(); !next.done; next = await reader.read())
      rest += new TextDecoder().decode(next.value);
    expect(rest).toContain('data: second');
  });

  it('undoes a gzip content encoding', async () => {
    expect(await (await client(`${base}/gzip`)).json()).toEqual({ zipped: true });
  });

  it('follows a redirect with the body', async () => {
    const response = await client(`${base}/redirect`, { method: 'POST', body: 'again' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echo: 'again' });
  });

  it('gives a 204 no body', async () => {
    const response = await client(`${base}/empty`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('rejects with the signal’s reason when aborted or timed out', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(client(`${base}/slow`, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    await expect(client(`${base}/slow`, { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it('reports a refused connection as TypeError("fetch failed") caused by ECONNREFUSED', async () => {
    const failure = await client(`http://127.0.0.1:${closedPort}/`, { method: 'POST', body: '{}' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as Error).message).toBe('fetch failed');
    expect(codeOf(failure)).toBe('ECONNREFUSED');
  });

  it('reads a reply larger than it holds at once, whole', async () => {
    const bytes = await (await client(`${base}/large`)).arrayBuffer();
    expect(bytes.byteLength).toBe(LARGE_BYTES);
  });
});

describe('modelFetch', () => {
  it('answers a plain request itself, without the global fetch (positive control of the fast path)', async () => {
    const original = globalThis.fetch;
    let fellBack = 0;
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
      fellBack += 1;
      return original(...args);
    }) as typeof fetch;
    try {
      await (await modelFetch(`${base}/json`, { method: 'POST', body: '{}' })).json();
      await (await modelFetch(`${base}/events`, { method: 'POST', body: '{}' })).body?.cancel();
      releaseStream?.();
      expect(fellBack).toBe(0);
      // A redirect is fetch's to follow.
      await (await modelFetch(`${base}/redirect`, { method: 'POST', body: '{}' })).json();
      expect(fellBack).toBe(1);
    } finally {
      globalThis.fetch = original;
    }
  });
});
