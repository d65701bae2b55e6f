// `roma solve --json` from several processes at once on one PostgreSQL database: each prints its events in seq order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../contracts/index.js';
import type { ScriptedModelServer } from '../../dev/scripted-model/index.js';
import { scriptedTreeRules, startScriptedModelServer } from '../../dev/scripted-model/index.js';
import { openExecutionStore } from '../../store/index.js';
import { createTestDatabase, type TestDatabase } from '../../store/testing/test-database.js';
import { type CliRun, runRomaAsync, scriptedModelEnv } from './cli-test-support.js';

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
let database: TestDatabase;

beforeAll(async () => {
  server = await startScriptedModelServer({ rules: scriptedTreeRules(TREE) });
  dataDir = mkdtempSync(join(tmpdir(), 'roma-cli-order-'));
  database = await createTestDatabase();
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
  await database?.drop();
});

function solveJson(): Promise<CliRun> {
  return runRomaAsync(['solve', GOAL, '--json'], {
    cwd: dataDir,
    env: {
      ...scriptedModelEnv(server),
      ROMA_CACHE_ENABLED: 'false',
      DATABASE_URL: database.url,
      ROMA_ENGINE_MAX_CONCURRENCY: '8',
    },
    timeoutMs: 120_000,
  });
}

describe('roma solve --json on PostgreSQL', () => {
  it('prints each run’s events in seq order with four processes solving at once', async () => {
    const runs = await Promise.all(Array.from({ length: 4 }, () => solveJson()));
    const store = await openExecutionStore({ dataDir, databaseUrl: database.url });
    try {
      for (const run of runs) {
        expect(run.stderr).not.toContain('Error');
        expect(run.status).toBe(0);
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
