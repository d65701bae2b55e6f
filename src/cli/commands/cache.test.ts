// `roma cache warm|stats|clear` run as the real command against the machine's Redis (unique key prefix).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisCacheStore } from '../../cache/index.js';
import { FileArtifactStore } from '../../store/file-artifact-store.js';
import { SqliteExecutionStore } from '../../store/sqlite-execution-store.js';
import { runRoma } from './cli-test-support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let cwd: string;
let prefix: string;
let env: Record<string, string>;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'roma-cache-cli-'));
  prefix = `roma-test:${randomUUID()}:`;
  env = { REDIS_URL, ROMA_CACHE_KEY_PREFIX: prefix };
});
afterEach(async () => {
  const store = new RedisCacheStore({ url: REDIS_URL, keyPrefix: prefix, logger: { warn: () => {} } });
  await store.connect();
  await store.clear('');
  await store.close();
  rmSync(cwd, { recursive: true, force: true });
});

const pair = (prompt: string, text: string) =>
  JSON.stringify({
    type: 'pair',
    model: 'openai:gpt-4o-mini',
    request: { prompt, temperature: 0 },
    response: { text, usage: { inputTokens: 10, outputTokens: 5 } },
  });

describe('roma cache', () => {
  it('warms from a JSONL file, shows the stores in stats, and clears one namespace', () => {
    writeFileSync(
      join(cwd, 'answers.jsonl'),
      [pair('one', 'uno'), pair('two', 'dos'), '{"type":"pair"}'].join('\n'),
    );
    const warmed = runRoma(['cache', 'warm', 'answers.jsonl'], { cwd, env });
    expect(warmed.stdout).toContain('warmed 2 of 3 entries (1 skipped)');
    expect(warmed.stderr).toContain('line 3');
    expect(warmed.stderr).not.toContain('line 3: line 3');
    expect(warmed.status).toBe(1);

    const stats = runRoma(['cache', 'stats', '--json'], { cwd, env });
    expect(stats.status).toBe(0);
    const report = JSON.parse(stats.stdout) as {
      rows: Array<{ model: string; counters: { stores: number } }>;
    };
    expect(report.rows).toEqual([
      expect.objectContaining({
        model: 'openai.chat:gpt-4o-mini',
        counters: expect.objectContaining({ stores: 2 }),
      }),
    ]);
    const table = runRoma(['cache', 'stats'], { cwd, env });
    expect(table.stdout).toMatch(/namespace\s+model\s+hits\s+misses\s+hit rate\s+tokens saved\s+cost saved/);

    expect(runRoma(['cache', 'clear', '--namespace', 'ptc'], { cwd, env }).stdout).toContain(
      'removed 0 keys',
    );
    expect(runRoma(['cache', 'clear', '--namespace', 'llm'], { cwd, env }).stdout).toContain(
      'removed 3 keys',
    );
    const after = JSON.parse(runRoma(['cache', 'stats', '--json'], { cwd, env }).stdout) as {
      rows: unknown[];
    };
    expect(after.rows).toEqual([]);
  }, 90_000);

  it('warms from the cache entries a stored run recorded', async () => {
    const dataDir = join(cwd, '.roma');
    const executionStore = SqliteExecutionStore.open({ dataDir });
    try {
      await executionStore.createExecution({ id: 'run-7', goal: 'demo' });
      const entry = {
        format: 'roma-llm-cache/1',
        kind: 'generate',
        provider: 'openai.chat',
        modelId: 'gpt-4o-mini',
        createdAt: new Date().toISOString(),
        usage: { inputTokens: 3, outputTokens: 1 },
        generate: {
          content: [{ type: 'text', text: 'hi' }],
          finishReason: { unified: 'stop', raw: 'stop' },
          usage: { inputTokens: { total: 3 }, outputTokens: { total: 1 } },
          warnings: [],
        },
      };
      const line = JSON.stringify({
        type: 'entry',
        key: `llm:v2:openai.chat:gpt-4o-mini:${'a'.repeat(64)}`,
        entry,
      });
      const artifact = await new FileArtifactStore({ dataDir }).put({
        executionId: 'run-7',
        taskId: 'root',
        name: 'llm-cache.jsonl',
        mimeType: 'application/x-ndjson',
        bytes: Buffer.from(`${line}\n`),
      });
      await executionStore.append({
        type: 'artifact-created',
        executionId: 'run-7',
        timestamp: new Date().toISOString(),
        taskId: null,
        artifact,
      });
    } finally {
      await executionStore.close();
    }
    const warmed = runRoma(['cache', 'warm', '--from-run', 'run-7'], { cwd, env });
    expect(warmed.stdout).toContain('warmed 1 of 1 entries');
    expect(warmed.status).toBe(0);
    const missing = runRoma(['cache', 'warm', '--from-run', 'nope'], { cwd, env });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('NOT_FOUND');
  }, 60_000);

  it('rejects a file together with --from-run, and an unknown namespace', () => {
    const both = runRoma(['cache', 'warm', 'x.jsonl', '--from-run', 'r'], { cwd, env });
    expect(both.status).toBe(1);
    expect(both.stderr).toContain('not both');
    const neither = runRoma(['cache', 'warm'], { cwd, env });
    expect(neither.status).toBe(1);
    expect(neither.stderr).toContain('nothing to warm from');
    const namespace = runRoma(['cache', 'clear', '--namespace', 'everything'], { cwd, env });
    expect(namespace.status).toBe(1);
    expect(namespace.stderr).toContain('unknown namespace');
  }, 60_000);
});
