// Runs as BullMQ jobs taken by `roma worker` processes, on real Redis and PostgreSQL: spread over workers, a killed
// worker's run resumed by another without redoing finished work, and a cancel that reaches the worker.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { StreamEvent } from '../contracts/index.js';
import type { ScriptedModelServer } from '../dev/scripted-model/index.js';
import { scriptedTreeRules, startScriptedModelServer, taskLine } from '../dev/scripted-model/index.js';
import { openRuntime, type Runtime } from '../runtime/index.js';
import { adminQuery, TEST_DATABASE_URL } from '../store/testing/postgres-faults-kit.js';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const REDIS_URL = 'redis://127.0.0.1:6379';
const GOAL = 'Survey three rivers';
const RIVERS = ['Nile', 'Amazon', 'Yangtze'];
const tree = {
  goal: GOAL,
  latencyMs: 100,
  tasks: {
    [GOAL]: {
      plan: RIVERS.map((river, index) => ({
        id: river.toLowerCase(),
        goal: `Measure the ${river}`,
        taskType: 'THINK' as const,
        dependencies: index === 2 ? ['nile', 'amazon'] : [],
      })),
      result: 'THREE RIVERS SURVEYED',
    },
    'Measure the Nile': { result: 'NILE 6650 KM' },
    'Measure the Amazon': { result: 'AMAZON 6400 KM' },
    // The last one is slow, so a worker can be killed while it runs.
    'Measure the Yangtze': { result: 'YANGTZE 6300 KM', latencyMs: 3_000 },
  },
};

const database = `roma_queue_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const prefix = `roma-queue-test-${process.pid}-${Date.now()}`;
let databaseUrl: string;
let dataDir: string;
let model: ScriptedModelServer;
let runtime: Runtime;
const workers: ChildProcess[] = [];

function env(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ROMA_MODEL: 'openai:scripted',
    OPENAI_BASE_URL: model.openaiBaseUrl,
    OPENAI_API_KEY: 'test-key',
    ROMA_LLM_MAX_RETRIES: '0',
    ROMA_CACHE_ENABLED: 'false',
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    ROMA_QUEUE: 'bullmq',
    ROMA_QUEUE_PREFIX: prefix,
    ROMA_QUEUE_LOCK_DURATION_MS: '2000',
    ROMA_LOG_LEVEL: 'warn',
  };
}

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'worker', '--concurrency', '1'], {
    cwd: dataDir,
    env: env(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  workers.push(child);
  return child;
}

const runnerPid = (events: readonly StreamEvent[]): number[] =>
  events
    .filter((event) => event.type === 'execution-start' || event.type === 'execution-resume')
    .map((event) =>
      Number(
        (event as { options?: { pid?: number }; pid?: number }).options?.pid ??
          (event as { pid?: number }).pid,
      ),
    );

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'roma-queue-'));
  await adminQuery((client) => client.query(`CREATE DATABASE "${database}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  databaseUrl = url.toString();
  model = await startScriptedModelServer({ rules: scriptedTreeRules(tree) });
  runtime = await openRuntime(loadConfig({ cwd: dataDir, env: env() }), {
    logName: 'test',
    cancelPollIntervalMs: 100,
  });
  startWorker();
  startWorker();
}, 60_000);

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await runtime?.close();
  await model?.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await adminQuery((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('BullMQ workers', { timeout: 120_000 }, () => {
  it('runs queued runs in worker processes, spread over them, and reports them to the starter', async () => {
    const handles = [0, 1].map(() => runtime.runs.start({ goal: GOAL }));
    const outcomes = await Promise.all(handles.map((handle) => handle.done));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(outcomes[0]?.result).toContain('THREE RIVERS SURVEYED');
    const pids = new Set<number>();
    for (const outcome of outcomes) {
      for (const pid of runnerPid(await runtime.store.readEvents(outcome.executionId))) pids.add(pid);
    }
    expect(pids.has(process.pid)).toBe(false);
    expect(pids.size).toBe(2);
  });

  it('resumes the run of a worker killed with SIGKILL on another worker, redoing no finished task', async () => {
    model.clearRequests();
    const handle = runtime.runs.start({ goal: GOAL });
    // Wait until the slow task is running: Nile and Amazon are done by then.
    let events: StreamEvent[] = [];
    for (let attempt = 0; attempt < 200; attempt += 1) {
      events = await runtime.store.readEvents(handle.executionId);
      if (events.some((event) => event.type === 'task-start' && event.goal === 'Measure the Yangtze')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [pid] = runnerPid(events);
    const victim = workers.find((worker) => worker.pid === pid);
    expect(victim).toBeDefined();
    victim!.kill('SIGKILL');
    startWorker();
    const outcome = await handle.done;
    expect(outcome.status).toBe('COMPLETED');
    const log = await runtime.store.readEvents(handle.executionId);
    const runners = runnerPid(log);
    expect(runners.length).toBeGreaterThanOrEqual(2);
    expect(runners.at(-1)).not.toBe(pid);
    // Every finished task's model call was made once: the executor of the Nile is asked exactly once.
    const asked = (goal: string) =>
      model.requests.filter(
        (request) => request.text.includes('ROMA executor') && request.text.includes(taskLine(goal)),
      ).length;
    expect(asked('Measure the Nile')).toBe(1);
    expect(asked('Measure the Amazon')).toBe(1);
  });

  it('cancels a queued run that a worker is running', async () => {
    const handle = runtime.runs.start({ goal: GOAL });
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if ((await runtime.store.readEvents(handle.executionId)).some((event) => event.type === 'task-start'))
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const result = await runtime.runs.cancel(handle.executionId, { reason: 'enough', waitMs: 10_000 });
    expect(result.status).toBe('CANCELLED');
    expect((await handle.done).status).toBe('CANCELLED');
  });
});
