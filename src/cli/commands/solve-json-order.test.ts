// `roma solve --json` from several processes at once on one PostgreSQL database: each prints its events in seq order.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../contracts/index.js';
import type { ScriptedModelServer } from '../../dev/scripted-model/index.js';
import { scriptedTreeRules, startScriptedModelServer } from '../../dev/scripted-model/index.js';
import { openExecutionStore } from '../../store/index.js';
import { adminQuery, TEST_DATABASE_URL } from '../../store/testing/postgres-faults-kit.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const GOAL = 'Plan a festival';
const SIBLINGS = ['music', 'food', 'tickets', 'stage', 'lights', 'posters'];
const TREE = {
  goal: GOAL,
  latencyMs: 5,
  tasks: {
    [GOAL]: {
      plan: SIBLINGS.map((id) => ({
        id,
        goal: `Arrange the ${id}`,
        taskType: 'THINK' as const,
        dependencies: [],
      })),
      result: 'FESTIVAL PLANNED',
    },
    ...Object.fromEntries(
      SIBLINGS.map((id) => [`Arrange the ${id}`, { result: `${id.toUpperCase()} DONE` }]),
    ),
  },
};

let server: ScriptedModelServer;
let dataDir: string;
// A database of its own: the CLI uses the default schema, so the test isolates it one level up.
const database = `roma_test_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
let databaseUrl: string;

beforeAll(async () => {
  server = await startScriptedModelServer({ rules: scriptedTreeRules(TREE) });
  dataDir = mkdtempSync(join(tmpdir(), 'roma-cli-order-'));
  await adminQuery((client) => client.query(`CREATE DATABASE "${database}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  databaseUrl = url.toString();
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
  await adminQuery((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
});

function solveJson(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, 'solve', GOAL, '--json'], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NO_COLOR: '1',
      ROMA_MODEL: 'openai:scripted',
      OPENAI_BASE_URL: server.openaiBaseUrl,
      OPENAI_API_KEY: 'test-key',
      ROMA_LLM_MAX_RETRIES: '0',
      ROMA_CACHE_ENABLED: 'false',
      DATABASE_URL: databaseUrl,
      ROMA_ENGINE_MAX_CONCURRENCY: '8',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('roma solve --json on PostgreSQL', () => {
  it('prints each run’s events in seq order with four processes solving at once', async () => {
    const runs = await Promise.all(Array.from({ length: 4 }, () => solveJson()));
    const store = await openExecutionStore({ dataDir, databaseUrl });
    try {
      for (const run of runs) {
        expect(run.stderr).not.toContain('Error');
        expect(run.code).toBe(0);
        const printed = run.stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as StreamEvent);
        expect(printed.length).toBeGreaterThan(SIBLINGS.length * 3);
        const seqs = printed.map((event) => event.seq);
        expect(seqs).toEqual(seqs.map((_, index) => index + 1));
        // The same as stored.
        expect(printed).toEqual(await store.readEvents(printed[0]!.executionId));
      }
    } finally {
      await store.close();
    }
  }, 180_000);
});
