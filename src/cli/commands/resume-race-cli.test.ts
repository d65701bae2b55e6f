// kill -9 a `roma solve` on PostgreSQL, then two `roma runs resume <id>` at once: one finishes the run, the
// other is refused with CONFLICT, and no remaining model request is answered twice.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptedModelServer } from '../../dev/scripted-model/index.js';
import { scriptedTreeRules, startScriptedModelServer, taskLine } from '../../dev/scripted-model/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { openExecutionStore } from '../../store/index.js';
import { adminQuery, TEST_DATABASE_URL } from '../../store/testing/postgres-faults-kit.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const GOAL = 'Organise a trip';
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
const database = `roma_test_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
let databaseUrl: string;

beforeAll(async () => {
  server = await startScriptedModelServer({ rules: scriptedTreeRules(tree(30_000)) });
  dataDir = mkdtempSync(join(tmpdir(), 'roma-cli-resume-race-'));
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

function roma(args: string[]): {
  child: ChildProcess;
  finished: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], {
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const finished = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, finished };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('two `roma runs resume` of one crashed run on PostgreSQL', () => {
  it('runs it once: one resumer completes it, the other gets CONFLICT', async () => {
    const { child, finished } = roma(['solve', GOAL, '--json']);
    let store: ExecutionStore | undefined;
    try {
      store = await waitFor(async () => {
        try {
          return await openExecutionStore({ dataDir, databaseUrl });
        } catch {
          return undefined;
        }
      }, 'the store');
      const open = store;
      const executionId = await waitFor(async () => (await open.listExecutions())[0]?.id, 'the run');
      await waitFor(async () => {
        const events = await open.readEvents(executionId);
        const routeDone = events.some((event) => event.type === 'task-end' && event.taskId === 'root.1');
        const hotelAsked = server.requests.some((request) =>
          request.text.includes(taskLine('Book the hotel')),
        );
        return routeDone && hotelAsked ? true : undefined;
      }, 'the route done and the hotel in flight');
      child.kill('SIGKILL');
      await finished;
      expect((await open.getExecution(executionId))?.status).toBe('RUNNING');

      server.setRules(scriptedTreeRules(tree(300)));
      const before = server.requests.length;
      const resumers = await Promise.all([
        roma(['runs', 'resume', executionId]).finished,
        roma(['runs', 'resume', executionId]).finished,
      ]);
      const winners = resumers.filter((run) => run.code === 0);
      const losers = resumers.filter((run) => run.code !== 0);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.stdout).toContain('TRIP ORGANISED');
      expect(losers).toHaveLength(1);
      expect(losers[0]!.stderr).toContain('CONFLICT');

      const after = server.requests.slice(before);
      const asked = (goal: string) => after.filter((request) => request.text.includes(taskLine(goal))).length;
      expect(asked('Pick the route')).toBe(0);
      expect(asked('Book the hotel')).toBe(1);
      expect(
        after.filter(
          (request) =>
            request.text.includes('ROMA executor') && request.text.includes(taskLine('Write the plan')),
        ),
      ).toHaveLength(1);
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
