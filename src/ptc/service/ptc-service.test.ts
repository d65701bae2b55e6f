// The PTC service's edges: huge bodies, requests from web pages, the default interface, and its bearer key.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PTCExecutionPlanSchema } from '../../contracts/index.js';
import type { PtcAgent } from '../agent/ptc-agent.js';
import type { PtcStreamMessage } from './event-hub.js';
import { createHttpCodeAgent } from './http-code-agent.js';
import {
  MAX_SUBSCRIBER_BUFFERED_BYTES,
  PTC_EVENTS_PATH,
  type RunningPtcService,
  startPtcService,
} from './ptc-service.js';

let executions = 0;
const agent = {
  execute: async () => {
    executions += 1;
    throw new Error('the stub agent runs nothing');
  },
  stats: () => ({ executions, cacheHits: 0, failures: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }),
  flush: async () => undefined,
} as unknown as PtcAgent;

const services: RunningPtcService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
});

async function start(): Promise<RunningPtcService> {
  const service = await startPtcService({ agent, port: 0 });
  services.push(service);
  return service;
}

const plan = JSON.stringify({
  planId: 'p',
  executionId: 'e',
  taskId: 't',
  goal: 'print 1',
});

/** Streams `totalBytes` as a chunked body (no Content-Length) and resolves with the status and bytes sent. */
function postChunked(url: string, totalBytes: number): Promise<{ status: number; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    const chunk = Buffer.alloc(1 << 20, 0x20);
    const outgoing = request(`${url}/execute`, { method: 'POST', timeout: 10_000 }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, sentBytes });
      outgoing.destroy();
    });
    outgoing.on('error', (error) => (sentBytes > 0 ? undefined : reject(error)));
    outgoing.on('timeout', () => reject(new Error('no answer within 10 s')));
    const pump = () => {
      while (sentBytes < totalBytes && !outgoing.destroyed) {
        sentBytes += chunk.length;
        if (!outgoing.write(chunk)) {
          outgoing.once('drain', pump);
          return;
        }
      }
      if (!outgoing.destroyed) outgoing.end();
    };
    pump();
  });
}

describe('PTC service', () => {
  it('listens on 127.0.0.1 unless told otherwise', async () => {
    const service = await start();
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 413 to a huge chunked body without reading it all', async () => {
    const service = await start();
    const answer = await postChunked(service.url, 200 << 20);
    expect(answer.status).toBe(413);
    expect(answer.sentBytes).toBeLessThan(200 << 20);
  });

  it('answers 413 to a declared Content-Length above the bound', async () => {
    const service = await start();
    const response = await fetch(`${service.url}/execute`, {
      method: 'POST',
      body: 'x'.repeat(6_000_000),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(413);
  });

  it('refuses a plan posted by a web page (cross-site request or DNS rebinding)', async () => {
    const service = await start();
    executions = 0;
    const response = await fetch(`${service.url}/execute`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
      body: plan,
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(403);
    expect(executions).toBe(0);
    const own = await fetch(`${service.url}/execute`, {
      method: 'POST',
      body: plan,
      signal: AbortSignal.timeout(5_000),
    });
    expect(own.status).not.toBe(403);
    expect(executions).toBe(1);
  });

  it('refuses an event stream opened by a web page', async () => {
    const service = await start();
    const url = `${service.url.replace('http:', 'ws:')}${PTC_EVENTS_PATH}?executionId=e&taskId=t`;
    const outcome = await new Promise<string>((resolve) => {
      const socket = new WebSocket(url, { origin: 'http://evil.example' });
      const timer = setTimeout(() => resolve('no answer'), 5_000);
      socket.on('message', () => {
        clearTimeout(timer);
        socket.close();
        resolve('opened');
      });
      socket.on('error', () => {
        clearTimeout(timer);
        resolve('refused');
      });
    });
    expect(outcome).toBe('refused');
  });

  it('refuses the event stream past the subscriber bound with 429 and keeps serving', async () => {
    const service = await start();
    // Fill the hub to its bound without a thousand sockets, then open one more stream.
    const unsubscribers = Array.from({ length: service.hub.maxSubscribers }, () =>
      service.hub.subscribe({ executionId: null, taskId: null }, () => undefined),
    );
    expect(unsubscribers.every((unsubscribe) => unsubscribe !== null)).toBe(true);
    const outcome = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const socket = new WebSocket(`${service.url.replace('http:', 'ws:')}${PTC_EVENTS_PATH}`);
      socket.on('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      socket.on('open', () => reject(new Error('the stream opened past the bound')));
      socket.on('error', () => undefined);
    });
    expect(outcome.status).toBe(429);
    expect(JSON.parse(outcome.body)).toMatchObject({
      error: { code: 'BUDGET_EXCEEDED', message: expect.stringContaining('too many event subscribers') },
    });
    const health = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(5_000) });
    expect(health.status).toBe(200);
    // Positive control: once one subscriber leaves, a stream opens again.
    unsubscribers[0]?.();
    const opened = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`${service.url.replace('http:', 'ws:')}${PTC_EVENTS_PATH}`);
      socket.on('message', () => {
        socket.close();
        resolve('opened');
      });
      socket.on('error', () => resolve('refused'));
    });
    expect(opened).toBe('opened');
  });

  it('drops a subscriber that stops reading once its unread bytes pass the bound, with a close reason', async () => {
    const service = await start();
    const socket = new WebSocket(`${service.url.replace('http:', 'ws:')}${PTC_EVENTS_PATH}`);
    await new Promise((resolve) => socket.once('message', resolve));
    expect(service.hub.size).toBe(1);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
    // The client stops reading; the service keeps publishing 1 MB events.
    (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const event = {
      type: 'warning',
      executionId: 'e',
      taskId: 't',
      timestamp: new Date().toISOString(),
      code: 'TOOL_FAILED',
      message: 'x'.repeat(1 << 20),
    } as unknown as PtcStreamMessage;
    const published = 8 * Math.ceil(MAX_SUBSCRIBER_BUFFERED_BYTES / (1 << 20));
    for (let index = 0; index < published && service.hub.size > 0; index += 1) {
      service.hub.publish(event);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(service.hub.size).toBe(0);
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code, reason } = await closed;
    expect(code).toBe(1008);
    expect(reason).toContain('subscriber too slow');
  });

  it('holds one copy of an event for 100 paused subscribers, not one each', async () => {
    const service = await start();
    const url = `${service.url.replace('http:', 'ws:')}${PTC_EVENTS_PATH}`;
    const sockets = await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<WebSocket>((resolve) => {
            const socket = new WebSocket(url);
            socket.once('message', () => {
              (socket as unknown as { _socket: { pause(): void } })._socket.pause();
              resolve(socket);
            });
          }),
      ),
    );
    expect(service.hub.size).toBe(100);
    const fourMb = {
      type: 'warning',
      executionId: 'e',
      taskId: 't',
      timestamp: new Date().toISOString(),
      code: 'TOOL_FAILED',
      message: 'x'.repeat(4 * 1024 * 1024),
    } as unknown as PtcStreamMessage;
    const before = process.memoryUsage().arrayBuffers;
    service.hub.publish(fourMb);
    await new Promise((resolve) => setImmediate(resolve));
    const grownMb = (process.memoryUsage().arrayBuffers - before) / (1024 * 1024);
    // One copy is 4 MB; a copy per subscriber would be 400 MB.
    expect(grownMb).toBeLessThan(40);
    for (const socket of sockets) socket.terminate();
  });
});

describe('PTC service with a bearer key (ptc.serviceApiKey)', () => {
  const KEY = 'k'.repeat(40);
  async function startKeyed(): Promise<RunningPtcService> {
    const service = await startPtcService({ agent, port: 0, apiKey: KEY });
    services.push(service);
    return service;
  }

  it('refuses to listen beyond loopback without a key, naming the setting', async () => {
    await expect(startPtcService({ agent, port: 0, host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      field: 'ptc.serviceApiKey',
    });
    // Positive control: with the key it listens there.
    const service = await startPtcService({ agent, port: 0, host: '0.0.0.0', apiKey: KEY });
    services.push(service);
    expect(service.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
  });

  it('answers 401 without the key or with a wrong one, 200 with it; /health stays open', async () => {
    const service = await startKeyed();
    const stats = (authorization?: string) =>
      fetch(`${service.url}/stats`, authorization ? { headers: { authorization } } : {});
    expect((await stats()).status).toBe(401);
    expect((await stats(`Bearer ${'w'.repeat(40)}`)).status).toBe(401);
    const refused = await stats(`Bearer ${KEY.slice(1)}`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await stats(`Bearer ${KEY}`)).status).toBe(200);
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
    const before = executions;
    const posted = await fetch(`${service.url}/execute`, { method: 'POST', body: plan });
    expect(posted.status).toBe(401);
    expect(executions).toBe(before);
  });

  it('refuses the event stream without the key and opens it with the key', async () => {
    const service = await startKeyed();
    const open = (headers: Record<string, string>) =>
      new Promise<number | 'open'>((resolve) => {
        const socket = new WebSocket(`${service.url.replace('http', 'ws')}${PTC_EVENTS_PATH}`, { headers });
        socket.on('open', () => {
          socket.close();
          resolve('open');
        });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('error', () => undefined);
      });
    expect(await open({})).toBe(401);
    expect(await open({ authorization: `Bearer ${KEY}` })).toBe('open');
  });

  it("the HTTP code agent sends its key: the plan reaches the service's agent", async () => {
    const service = await startKeyed();
    const before = executions;
    const keyed = createHttpCodeAgent(service.url, { apiKey: KEY, streamDrainMs: 100 });
    // The stub agent throws, so the call fails — but only after passing the key check on the stream and /execute.
    await expect(
      keyed.execute(PTCExecutionPlanSchema.parse(JSON.parse(plan)), {
        signal: AbortSignal.timeout(10_000),
        emit: () => undefined,
      }),
    ).rejects.toMatchObject({ code: 'PTC_FAILED' });
    expect(executions).toBe(before + 1);
    await expect(createHttpCodeAgent(service.url).fetchStats()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(keyed.fetchStats()).resolves.toBeDefined();
  });
});
