// A run records the cache entries it used; `roma cache warm --from-run` loads them so a later run costs nothing.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisCacheStore } from '../../cache/index.js';
import type { StreamEvent } from '../../contracts/index.js';
import type { ScriptedModelServer, ScriptedTree } from '../../dev/scripted-model/index.js';
import { scriptedTreeRules, startScriptedModelServer } from '../../dev/scripted-model/index.js';
import { runRomaAsync, scriptedModelEnv } from './cli-test-support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const GOAL = 'Plan a picnic';
const TREE: ScriptedTree = {
  goal: GOAL,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'food', goal: 'Pick the food', taskType: 'THINK', dependencies: [] },
        { id: 'place', goal: 'Pick the place', taskType: 'RETRIEVE', dependencies: [] },
        { id: 'note', goal: 'Write the invitation', taskType: 'WRITE', dependencies: ['food', 'place'] },
      ],
      result: 'PICNIC PLANNED',
    },
    'Pick the food': { result: 'SANDWICHES' },
    'Pick the place': { result: 'THE PARK' },
    'Write the invitation': { result: 'COME AT NOON' },
  },
};

let server: ScriptedModelServer;
let cwd: string;
let prefix: string;
let modelEnv: Record<string, string>;

beforeEach(async () => {
  server = await startScriptedModelServer({ rules: scriptedTreeRules(TREE) });
  cwd = mkdtempSync(join(tmpdir(), 'roma-warm-run-'));
  prefix = `roma-test:${randomUUID()}:`;
  modelEnv = { ...scriptedModelEnv(server), ROMA_DATA_DIR: join(cwd, '.roma') };
});

afterEach(async () => {
  await server.close();
  const store = new RedisCacheStore({ url: REDIS_URL, keyPrefix: prefix, logger: { warn: () => {} } });
  await store.connect();
  await store.clear('');
  await store.close();
  rmSync(cwd, { recursive: true, force: true });
});

describe('warming the cache from a run', { timeout: 180_000 }, () => {
  it('a run on the memory cache, warmed into Redis, lets the next run make no upstream call', async () => {
    // No REDIS_URL: the in-memory cache, gone when the process ends; only the run's artifact keeps the answers.
    const first = await runRomaAsync(['solve', GOAL, '--json'], { cwd, env: modelEnv });
    expect(first.status).toBe(0);
    const events = first.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as StreamEvent);
    const executionId = events[0]?.executionId ?? '';
    const upstream = server.requests.length;
    expect(upstream).toBeGreaterThan(0);
    const recorded = events.filter((event) => event.type === 'artifact-created');
    expect(recorded).toEqual([
      expect.objectContaining({
        taskId: null,
        artifact: expect.objectContaining({ name: 'llm-cache.jsonl', mimeType: 'application/x-ndjson' }),
      }),
    ]);
    // Recorded before the run's end, so a reader of the log up to execution-end sees it.
    expect(events.at(-1)?.type).toBe('execution-end');

    const redisEnv = { ...modelEnv, REDIS_URL, ROMA_CACHE_KEY_PREFIX: prefix };
    const warmed = await runRomaAsync(['cache', 'warm', '--from-run', executionId], { cwd, env: redisEnv });
    expect(warmed.stderr).not.toContain('line ');
    expect(warmed.status).toBe(0);
    expect(warmed.stdout).toContain(`warmed ${upstream} of ${upstream} entries (0 skipped)`);

    const second = await runRomaAsync(['solve', GOAL], { cwd, env: redisEnv });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('PICNIC PLANNED');
    expect(server.requests.length).toBe(upstream);
    expect(second.stdout).toContain(`model calls ${upstream}, ${upstream} from cache`);
    expect(second.stdout).toMatch(/tokens: 0 in \/ 0 out · saved [\d,]+ tokens \(100%\)/);
  });

  it('a run with the cache disabled records nothing to warm from, and says so', async () => {
    const env = { ...modelEnv, ROMA_CACHE_ENABLED: 'false' };
    const first = await runRomaAsync(['solve', GOAL, '--json'], { cwd, env });
    expect(first.status).toBe(0);
    const executionId = (JSON.parse(first.stdout.split('\n')[0] ?? '{}') as StreamEvent).executionId;
    expect(first.stdout).not.toContain('artifact-created');
    const warmed = await runRomaAsync(['cache', 'warm', '--from-run', executionId], {
      cwd,
      env: { ...env, REDIS_URL, ROMA_CACHE_KEY_PREFIX: prefix },
    });
    expect(warmed.status).toBe(1);
    expect(warmed.stderr).toContain('recorded no cache entries');
  });
});
