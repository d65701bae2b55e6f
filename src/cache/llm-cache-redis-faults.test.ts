// Redis faults and processes: single-flight across two OS processes; Redis lost mid-run and back again.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import { describe, expect, it } from 'vitest';
import { scriptedModelServerForFile } from '../dev/scripted-model/testing/server-for-file.js';
import { createLlmCache } from './llm-cache-middleware.js';
import { RedisCacheStore } from './redis-cache-store.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const server = scriptedModelServerForFile();

/** One child process: sets up the cache, says "ready", waits for "go" on stdin, makes one call, prints JSON. */
const CHILD_SCRIPT = `
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import { createLlmCache, RedisCacheStore } from './src/cache/index.ts';
globalThis.AI_SDK_LOG_WARNINGS = false;
const store = new RedisCacheStore({ url: process.env.CHILD_REDIS_URL, keyPrefix: process.env.CHILD_PREFIX, logger: { warn() {} } });
await store.connect();
const cache = createLlmCache({ store, logger: { warn() {} } });
const model = cache.wrap(createOpenAI({ apiKey: 'test-key', baseURL: process.env.CHILD_BASE_URL }).chat('gpt-4o-mini'));
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const result = await generateText({ model, prompt: 'one question for two processes', temperature: 0, maxRetries: 0 });
await cache.flush();
process.stdout.write(JSON.stringify({ text: result.text, hit: result.providerMetadata?.roma?.cacheHit === true }) + '\\n');
await store.close();
process.exit(0);
`;

interface Child {
  process: ChildProcessWithoutNullStreams;
  lines: string[];
  waitForLine(predicate: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

function startChild(prefix: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD_SCRIPT], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      CHILD_REDIS_URL: REDIS_URL,
      CHILD_PREFIX: prefix,
      CHILD_BASE_URL: server.openaiBaseUrl,
    },
  });
  const lines: string[] = [];
  let buffer = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line.length > 0));
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return {
    process: child,
    lines,
    waitForLine: (predicate, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.find(predicate);
          if (line === undefined) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`child gave no expected line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
  };
}

describe('single-flight across OS processes', () => {
  it('two processes asking the same question at once make one upstream request', async () => {
    server.setRules([
      { reply: { text: 'answered once', latencyMs: 1_000, usage: { inputTokens: 10, outputTokens: 3 } } },
    ]);
    const prefix = `roma-test:${randomUUID()}:`;
    const children = [startChild(prefix), startChild(prefix)];
    const cleanupStore = new RedisCacheStore({
      url: REDIS_URL,
      keyPrefix: prefix,
      logger: { warn: () => {} },
    });
    try {
      await Promise.all(children.map((child) => child.waitForLine((line) => line === 'ready', 30_000)));
      for (const child of children) child.process.stdin.write('go\n');
      const outputs = await Promise.all(
        children.map((child) => child.waitForLine((line) => line.startsWith('{'), 30_000)),
      );
      const results = outputs.map((line) => JSON.parse(line) as { text: string; hit: boolean });
      expect(results.map((result) => result.text)).toEqual(['answered once', 'answered once']);
      expect(results.filter((result) => result.hit)).toHaveLength(1);
      expect(server.requests).toHaveLength(1);
      // The second process waited on the first one's lock (a join), rather than arriving after it finished.
      await cleanupStore.connect();
      const counters = (await cleanupStore.readCounters('llm:'))['llm:openai.chat:gpt-4o-mini'];
      expect(counters).toMatchObject({ misses: 1, hits: 1, singleFlightJoins: 1 });
    } finally {
      for (const child of children) if (child.process.exitCode === null) child.process.kill();
      await cleanupStore.connect();
      await cleanupStore.clear('');
      await cleanupStore.close();
    }
  }, 60_000);
});

/** A TCP proxy to Redis that the test can cut (closing every connection) and restore on the same port. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('Redis lost mid-run', () => {
  it('keeps answering uncached with one warning, then uses the cache again once Redis is back', async () => {
    const redisUrl = new URL(REDIS_URL);
    const proxy = new CuttableProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    await proxy.open();
    const warnings: string[] = [];
    const store = new RedisCacheStore({
      url: `redis://127.0.0.1:${proxy.port}`,
      keyPrefix: `roma-test:${randomUUID()}:`,
      logger: { warn: (message) => warnings.push(message), info: () => {} },
    });
    const cache = createLlmCache({ store, logger: { warn: (message) => warnings.push(message) } });
    const model = cache.wrap(
      createOpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseUrl }).chat('gpt-4o-mini'),
    );
    const ask = () => generateText({ model, prompt: 'survives outages', temperature: 0, maxRetries: 0 });
    server.setRules([{ reply: { text: 'still here' } }]);
    try {
      expect(await store.connect()).toBe(true);
      await ask();
      await ask();
      expect(server.requests).toHaveLength(1);

      await proxy.cut();
      for (let call = 0; call < 4; call += 1) expect((await ask()).text).toBe('still here');
      expect(server.requests).toHaveLength(5);
      expect(warnings.filter((warning) => warning.includes('unavailable'))).toHaveLength(1);
      expect(store.errorCount).toBeGreaterThan(0);
      await cache.flush();
      expect(cache.stats.snapshot()['llm:openai.chat:gpt-4o-mini']?.errors).toBeGreaterThan(0);

      await proxy.open();
      const deadline = Date.now() + 15_000;
      while (!store.available && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(store.available).toBe(true);
      const afterRecovery = await ask();
      expect(afterRecovery.text).toBe('still here');
      expect((afterRecovery.providerMetadata?.roma as { cacheHit?: boolean } | undefined)?.cacheHit).toBe(
        true,
      );
      expect(server.requests).toHaveLength(5);
    } finally {
      await cache.flush();
      if (store.available) await store.clear('');
      await store.close();
      await proxy.cut();
    }
  }, 30_000);

  it('starts uncached when Redis is down at start, without failing a call', async () => {
    const warnings: string[] = [];
    const store = new RedisCacheStore({
      url: 'redis://127.0.0.1:1',
      logger: { warn: (message) => warnings.push(message) },
    });
    const cache = createLlmCache({ store, logger: { warn: (message) => warnings.push(message) } });
    const model = cache.wrap(
      createOpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseUrl }).chat('gpt-4o-mini'),
    );
    server.setRules([{ reply: { text: 'no cache, no problem' } }]);
    try {
      expect(await store.connect()).toBe(false);
      for (let call = 0; call < 3; call += 1) {
        const result = await generateText({ model, prompt: 'down at start', temperature: 0, maxRetries: 0 });
        expect(result.text).toBe('no cache, no problem');
      }
      expect(server.requests).toHaveLength(3);
      expect(warnings).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
