// The PTC runtime as the CLI wires it: its result-cache stats reach the store before `close()` returns.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCacheStats } from '../cache/index.js';
import { RedisCacheStore } from '../cache/redis-cache-store.js';
import { defaultConfig, type RomaConfig } from '../config/index.js';
import { PTCExecutionPlanSchema } from '../contracts/index.js';
import {
  type ScriptedModelServer,
  scriptedLlmConfig,
  startScriptedModelServer,
} from '../dev/scripted-model/index.js';
import { openPtcRuntime } from './ptc-agent.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `roma-test-${randomUUID()}:`;
let server: ScriptedModelServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'roma-ptc-runtime-'));
  server = await startScriptedModelServer({
    rules: [
      // Turn 1 writes a program; once its output is in the conversation, the model answers.
      { name: 'final', match: { contains: 'stdout' }, reply: { text: 'FINAL ANSWER: 42' } },
      { name: 'program', reply: { text: '```typescript\nconsole.log(6 * 7);\n```' } },
    ],
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  const store = new RedisCacheStore({ url: REDIS_URL, keyPrefix });
  await store.connect();
  await store.clear('');
  await store.close();
});

function config(): RomaConfig {
  const base = defaultConfig();
  return {
    ...base,
    llm: scriptedLlmConfig(server),
    cache: { ...base.cache, redisUrl: REDIS_URL, keyPrefix },
    store: { ...base.store, dataDir },
  };
}

describe('openPtcRuntime', () => {
  it('writes the PTC result-cache stats to Redis before close() returns', async () => {
    const plan = PTCExecutionPlanSchema.parse({
      planId: 'plan-1',
      executionId: 'run-1',
      taskId: 'root',
      goal: 'Compute six times seven',
      cacheStrategy: 'ALWAYS',
    });
    const runtime = await openPtcRuntime(config());
    let first: Awaited<ReturnType<typeof runtime.agent.execute>>;
    let second: typeof first;
    try {
      first = await runtime.agent.execute(plan, { signal: AbortSignal.timeout(20_000), emit: () => {} });
      second = await runtime.agent.execute(
        { ...plan, planId: 'plan-2' },
        { signal: AbortSignal.timeout(20_000), emit: () => {} },
      );
    } finally {
      await runtime.close();
    }
    expect(first.status).toBe('SUCCESS');
    expect(first.summary).toBe('42');
    expect(second.status).toBe('CACHE_HIT');

    const store = new RedisCacheStore({ url: REDIS_URL, keyPrefix });
    await store.connect();
    try {
      const stats = await readCacheStats(store, 'ptc');
      expect(stats.totals.hits).toBe(1);
      expect(stats.totals.misses).toBe(1);
    } finally {
      await store.close();
    }
  });
});
