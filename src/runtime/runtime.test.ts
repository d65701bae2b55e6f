// The runtime alone (no CLI code): a run started in one process is cancelled from another and resumed here.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig, type RomaConfig } from '../config/index.js';
import type { StreamEvent } from '../contracts/index.js';
import type { ScriptedModelServer, ScriptedTree } from '../dev/index.js';
import { scriptedTreeRules, startScriptedModelServer } from '../dev/index.js';
import { requestsAbout } from '../engine/testing/engine-test-kit.js';
import { until } from '../engine/testing/wait.js';
import { openRuntime } from './index.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const CHILD = fileURLToPath(new URL('../../test/support/runtime/start-run-child.ts', import.meta.url));
const GOAL = 'Plan a picnic';
const SLOW_GOAL = 'Choose the food';
const TREE: ScriptedTree = {
  goal: GOAL,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'place', goal: 'Pick the place', taskType: 'THINK', dependencies: [] },
        { id: 'food', goal: SLOW_GOAL, taskType: 'THINK', dependencies: ['place'] },
      ],
      result: 'PICNIC PLANNED',
    },
    'Pick the place': { result: 'THE PARK' },
    // Slow enough that the cancel lands while this task's executor call is in flight.
    [SLOW_GOAL]: { result: 'SANDWICHES', latencyMs: 3_000 },
  },
};

let dataDir: string;
let server: ScriptedModelServer;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'roma-runtime-'));
  server = await startScriptedModelServer({ rules: scriptedTreeRules(TREE) });
});
afterEach(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function config(): RomaConfig {
  const base = defaultConfig();
  return {
    ...base,
    store: { ...base.store, dataDir },
    cache: { ...base.cache, enabled: false },
    llm: {
      ...base.llm,
      model: 'openai:scripted',
      openaiBaseUrl: server.openaiBaseUrl,
      openaiApiKey: 'test-key',
      maxRetries: 0,
    },
  };
}

/** Starts the child front end; resolves with its run id once printed. */
function startChild(): {
  executionId: Promise<string>;
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, CHILD, GOAL], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ROMA_DATA_DIR: dataDir,
      ROMA_CACHE_ENABLED: 'false',
      ROMA_MODEL: 'openai:scripted',
      OPENAI_BASE_URL: server.openaiBaseUrl,
      OPENAI_API_KEY: 'test-key',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let stdout = '';
  let stderr = '';
  let announce: (id: string) => void = () => undefined;
  const executionId = new Promise<string>((resolve) => {
    announce = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const match = /"executionId":"([^"]+)"/.exec(stdout);
    if (match?.[1]) announce(match[1]);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      announce('');
      resolve({ code, stdout, stderr });
    });
  });
  return { executionId, exit };
}

function executorCalls(goal: string): number {
  return requestsAbout(server.requests, 'ROMA executor', goal).length;
}

describe('openRuntime: run control across processes', { timeout: 120_000 }, () => {
  it('cancels a run another process is running, then resumes it to the end without redoing finished tasks', async () => {
    const child = startChild();
    const executionId = await child.executionId;
    expect(executionId, (await Promise.race([child.exit, Promise.resolve(null)]))?.stderr).not.toBe('');

    const observed: StreamEvent[] = [];
    const runtime = await openRuntime(config(), { observers: [(event) => void observed.push(event)] });
    try {
      // Wait until the slow task's executor call is in flight: the first subtask is done by then.
      await until(() => executorCalls(SLOW_GOAL) > 0, 'the slow task to reach the model');
      const before = await runtime.runs.liveness(executionId);
      expect(before).toMatchObject({ status: 'RUNNING', liveness: 'alive', orphaned: false });
      expect(before.runner?.pid).not.toBe(process.pid);

      const cancelled = await runtime.runs.cancel(executionId, { reason: 'from the test', waitMs: 30_000 });
      expect(cancelled).toMatchObject({ outcome: 'cancelled', status: 'CANCELLED' });
      const exited = await child.exit;
      expect(exited.code, exited.stderr).toBe(0);
      expect(exited.stdout).toContain('"status":"CANCELLED"');

      const placeCalls = executorCalls('Pick the place');
      const handle = runtime.runs.resume(executionId);
      const outcome = await handle.done;
      expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'PICNIC PLANNED' });
      // The finished subtask kept its result: its executor was not asked again.
      expect(executorCalls('Pick the place')).toBe(placeCalls);

      const log = await runtime.store.readEvents(executionId);
      expect(log.map((event) => event.type)).toEqual(
        expect.arrayContaining(['execution-cancel-requested', 'execution-resume']),
      );
      const ends = log.filter((event) => event.type === 'execution-end');
      expect(ends.map((event) => event.type === 'execution-end' && event.status)).toEqual([
        'CANCELLED',
        'COMPLETED',
      ]);
      // The observer saw every event this process stored for the resume, as stored.
      const resumedFrom = log.findIndex((event) => event.type === 'execution-resume');
      expect(observed.map((event) => event.seq).sort((a, b) => a - b)).toEqual(
        log.slice(resumedFrom).map((event) => event.seq),
      );
      expect(await runtime.runs.liveness(executionId)).toMatchObject({
        status: 'COMPLETED',
        orphaned: false,
      });
    } finally {
      await runtime.close();
    }
  });

  it('follows a run from a second runtime until its end, in seq order', async () => {
    const runner = await openRuntime(config());
    const watcher = await openRuntime(config(), { services: 'store' });
    try {
      const handle = runner.runs.start({ goal: GOAL });
      const seen: StreamEvent[] = [];
      await until(async () => (await watcher.runs.get(handle.executionId)) !== null, 'the run to be stored');
      const follow = watcher.runs.follow(handle.executionId, { pollIntervalMs: 50 });
      for await (const event of follow) seen.push(event);
      expect(follow.end).toEqual({ kind: 'ended' });
      expect((await handle.done).status).toBe('COMPLETED');
      const stored = await runner.store.readEvents(handle.executionId);
      expect(seen.map((event) => event.seq)).toEqual(stored.map((event) => event.seq));
      expect(seen.at(-1)?.type).toBe('execution-end');
    } finally {
      await watcher.close();
      await runner.close();
    }
  });

  it('cancels a run of its own process at once, and refuses to resume it while it runs', async () => {
    const runtime = await openRuntime(config());
    try {
      const handle = runtime.runs.start({ goal: GOAL });
      await until(() => executorCalls(SLOW_GOAL) > 0, 'the slow task to reach the model');
      expect(() => runtime.runs.resume(handle.executionId)).toThrow(/running in this process/);
      const cancelled = await runtime.runs.cancel(handle.executionId, { waitMs: 30_000 });
      expect(cancelled).toMatchObject({ outcome: 'cancelled', status: 'CANCELLED' });
      expect(runtime.runs.active().size).toBe(0);
    } finally {
      await runtime.close();
    }
  });
});
