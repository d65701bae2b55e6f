// A frozen Redis (SIGSTOP of a private redis-server): once marked down, the cache stops sending commands until
// a background probe sees Redis answer again, so model calls do not each wait the command timeout.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedModelServer, startScriptedModelServer } from '../dev/scripted-model/index.js';
import { createLlmCache } from './llm-cache-middleware.js';
import { RedisCacheStore } from './redis-cache-store.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const REDIS_SERVER = '/usr/bin/redis-server';
const hasRedisServer = spawnSync(REDIS_SERVER, ['--version']).status === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Calls of the data commands the cache sends (not PING/INFO), from INFO commandstats. */
async function dataCommandCalls(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)) {
    if (['get', 'set', 'del', 'eval', 'evalsha', 'exists', 'exec', 'multi', 'hincrby'].includes(match[1]!))
      calls += Number(match[2]);
  }
  return calls;
}

let model: ScriptedModelServer;
let redis: ChildProcess | undefined;
let port = 0;

beforeAll(async () => {
  model = await startScriptedModelServer({ rules: [{ reply: { text: 'answered' } }] });
  if (!hasRedisServer) return;
  port = await freePort();
  redis = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await waitUntil(async () => {
      try {
        if (probe.status !== 'ready') await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      }
    }, 10_000);
  } finally {
    probe.disconnect();
  }
});

afterAll(async () => {
  await model?.close();
  if (redis && redis.exitCode === null) {
    redis.kill('SIGCONT');
    redis.kill('SIGKILL');
  }
});

describe('Redis frozen mid-run (SIGSTOP)', () => {
  it.skipIf(!hasRedisServer)(
    'stops sending commands once Redis is marked down, and uses the cache again after SIGCONT',
    async () => {
      const warnings: string[] = [];
      const infos: string[] = [];
      const store = new RedisCacheStore({
        url: `redis://127.0.0.1:${port}`,
        keyPrefix: `roma-test:${randomUUID()}:`,
        commandTimeoutMs: 1_000,
        probeIntervalMs: 100,
        logger: { warn: (message) => warnings.push(message), info: (message) => infos.push(message) },
      });
      const cache = createLlmCache({ store, logger: { warn: () => undefined } });
      const wrapped = cache.wrap(
        createOpenAI({ apiKey: 'test-key', baseURL: model.openaiBaseUrl }).chat('gpt-4o-mini'),
      );
      const ask = async (prompt: string) => {
        const result = await generateText({ model: wrapped, prompt, temperature: 0, maxRetries: 0 });
        return {
          text: result.text,
          hit: (result.providerMetadata?.roma as { cacheHit?: boolean })?.cacheHit === true,
        };
      };
      const admin = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      admin.on('error', () => undefined);
      try {
        expect(await store.connect()).toBe(true);
        // Positive control: the cache works before the freeze.
        expect(await ask('before the freeze')).toEqual({ text: 'answered', hit: false });
        await cache.flush();
        expect(await ask('before the freeze')).toEqual({ text: 'answered', hit: true });
        await cache.flush();
        const before = await dataCommandCalls(admin);
        const requestsBefore = model.requests.length;

        redis!.kill('SIGSTOP');
        const calls = 6;
        for (let call = 0; call < calls; call += 1) {
          expect(await ask(`during the freeze ${call}`)).toEqual({ text: 'answered', hit: false });
        }
        expect(model.requests.length - requestsBefore).toBe(calls);
        expect(store.available).toBe(false);
        // Every lookup and write after the first timeout was skipped, not sent to wait its timeout.
        expect(store.skippedCount).toBeGreaterThanOrEqual((calls - 1) * 2);
        expect(warnings.filter((warning) => warning.includes('unavailable'))).toHaveLength(1);

        redis!.kill('SIGCONT');
        await waitUntil(() => store.available, 15_000);
        expect(infos.some((message) => message.includes('is back'))).toBe(true);
        // What reached Redis during the freeze: the first call's timed-out command(s), not one per call.
        const sentDuringFreeze = (await dataCommandCalls(admin)) - before;
        expect(sentDuringFreeze).toBeLessThanOrEqual(2);

        // The cache is in use again: an old entry hits, a new answer is stored and then hits.
        expect(await ask('before the freeze')).toEqual({ text: 'answered', hit: true });
        expect(await ask('during the freeze 0')).toEqual({ text: 'answered', hit: false });
        await cache.flush();
        expect(await ask('during the freeze 0')).toEqual({ text: 'answered', hit: true });
      } finally {
        redis?.kill('SIGCONT');
        await cache.flush().catch(() => undefined);
        await store.clear('').catch(() => undefined);
        await store.close();
        admin.disconnect();
      }
    },
    60_000,
  );
});
