// kill -9 a `roma solve` on PostgreSQL, then two `roma runs resume <id>` at once: one finishes the run, the
// other is refused with CONFLICT, and no remaining model request is answered twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptedModelServer } from '../../dev/scripted-model/index.js';
import { scriptedTreeRules, startScriptedModelServer, taskLine } from '../../dev/scripted-model/index.js';
import { requestsAbout } from '../../engine/testing/engine-test-kit.js';
import { waitFor } from '../../engine/testing/wait.js';
import type { ExecutionStore } from '../../store/index.js';
import { createTestDatabase, type TestDatabase } from '../../store/testing/test-database.js';
import {
  type SpawnedRoma,
  scriptedModelEnv,
  spawnRoma,
  waitForFirstRun,
  waitForStore,
} from './cli-test-support.js';

const GOAL = 'Organise a trip';
/** How long to wait for the child's progress: PostgreSQL and three processes on a busy machine. */
const WAIT_MS = 60_000;
const tree = (slowMs: number) => ({
  goal: GOAL,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'route', goal: 'Pick the route', taskType: 'THINK' as const, dependencies: [] },
        { id: 'hotel', goal: 'Book the hotel', taskType: 'THINK' as const, dependencies: [] },
        { id: 'plan', goal: 'Write the plan', taskType: 'WRITE' as const, dependencies: ['route', 'hotel'] },
      ],
      result: 'TRIP ORGANISED',
    },
    'Pick the route': { result: 'ALONG THE COAST' },
    'Book the hotel': { result: 'HOTEL BOOKED', latencyMs: slowMs },
    'Write the plan': { result: 'DAY ONE, DAY TWO' },
  },
});

let server: ScriptedModelServer;
let dataDir: string;
// A database of its own: the CLI uses the default schema, so the test isolates it one level up.
let database: TestDatabase;

beforeAll(async () => {
  server = await startScriptedModelServer({ rules: scriptedTreeRules(tree(30_000)) });
  dataDir = mkdtempSync(join(tmpdir(), 'roma-cli-resume-race-'));
  database = await createTestDatabase();
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
  await database?.drop();
});

function roma(args: string[]): SpawnedRoma {
  return spawnRoma(args, {
    cwd: dataDir,
    env: {
      ...scriptedModelEnv(server),
      ROMA_CACHE_ENABLED: 'false',
      DATABASE_URL: database.url,
    },
    timeoutMs: 120_000,
  });
}

describe('two `roma runs resume` of one crashed run on PostgreSQL', () => {
  it('runs it once: one resumer completes it, the other gets CONFLICT', async () => {
    const { child, finished } = roma(['solve', GOAL, '--json']);
    let store: ExecutionStore | undefined;
    try {
      store = await waitForStore({ dataDir, databaseUrl: database.url }, WAIT_MS);
      const open = store;
      const executionId = await waitForFirstRun(open, WAIT_MS);
      await waitFor(
        async () => {
          const events = await open.readEvents(executionId);
          const routeDone = events.some((event) => event.type === 'task-end' && event.taskId === 'root.1');
          const hotelAsked = server.requests.some((request) =>
            request.text.includes(taskLine('Book the hotel')),
          );
          return routeDone && hotelAsked ? true : undefined;
        },
        'the route done and the hotel in flight',
        WAIT_MS,
      );
      child.kill('SIGKILL');
      await finished;
      expect((await open.getExecution(executionId))?.status).toBe('RUNNING');

      server.setRules(scriptedTreeRules(tree(300)));
      const before = server.requests.length;
      const resumers = await Promise.all([
        roma(['runs', 'resume', executionId]).finished,
        roma(['runs', 'resume', executionId]).finished,
      ]);
      const winners = resumers.filter((run) => run.status === 0);
      const losers = resumers.filter((run) => run.status !== 0);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.stdout).toContain('TRIP ORGANISED');
      expect(losers).toHaveLength(1);
      expect(losers[0]!.stderr).toContain('CONFLICT');

      const after = server.requests.slice(before);
      const asked = (goal: string) => after.filter((request) => request.text.includes(taskLine(goal))).length;
      expect(asked('Pick the route')).toBe(0);
      expect(asked('Book the hotel')).toBe(1);
      expect(requestsAbout(after, 'ROMA executor', 'Write the plan')).toHaveLength(1);
      const events = await open.readEvents(executionId);
      expect(events.filter((event) => event.type === 'execution-resume')).toHaveLength(1);
      expect(events.filter((event) => event.type === 'execution-end')).toHaveLength(1);
      expect(events.at(-1)).toMatchObject({ type: 'execution-end', status: 'COMPLETED' });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await store?.close();
    }
  }, 180_000);
});
