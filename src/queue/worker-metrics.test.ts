// `roma worker --metrics-port` scraped as Prometheus would: queue depth by state, runs taken, stalled recoveries,
// with worker processes on real Redis and PostgreSQL.
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
import type { ScriptedModelServer } from '../dev/scripted-model/index.js';
import { scriptedTreeRules, startScriptedModelServer } from '../dev/scripted-model/index.js';
import { openRuntime, type Runtime } from '../runtime/index.js';
import { adminQuery, TEST_DATABASE_URL } from '../store/testing/postgres-faults-kit.js';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const REDIS_URL = 'redis://127.0.0.1:6379';
const GOAL = 'Count two bridges';
const tree = {
  goal: GOAL,
  latencyMs: 20,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'a', goal: 'Count the old bridge', taskType: 'THINK' as const, dependencies: [] },
        { id: 'b', goal: 'Count the new bridge', taskType: 'THINK' as const, dependencies: [] },
      ],
      result: 'TWO BRIDGES',
    },
    'Count the old bridge': { result: 'OLD ONE' },
    // Slow, so a run is still in flight while the queue is scraped or its worker is killed.
    'Count the new bridge': { result: 'NEW ONE', latencyMs: 2_500 },
  },
};

const database = `roma_wmetrics_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const prefix = `roma-worker-metrics-test-${process.pid}-${Date.now()}`;
let databaseUrl: string;
let dataDir: string;
let model: ScriptedModelServer;
let runtime: Runtime;
const children: ChildProcess[] = [];

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
    ROMA_LOG_LEVEL: 'info',
  };
}

interface StartedWorker {
  child: ChildProcess;
  metricsUrl?: string;
  /** What the worker has logged so far (the last 50,000 characters). */
  log(): string;
}

/** Starts `roma worker` and resolves once it waits for runs, with the metrics URL it logged. */
function startWorker(extra: string[]): Promise<StartedWorker> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'worker', '--concurrency', '1', ...extra], {
    cwd: dataDir,
    env: env(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let text = '';
    let metricsUrl: string | undefined;
    const timer = setTimeout(() => reject(new Error(`worker not ready in 60 s:\n${text}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      text = (text + chunk.toString()).slice(-50_000);
      for (const line of text.split('\n')) {
        const url = /"metricsUrl":"([^"]+)"/.exec(line)?.[1];
        if (url) metricsUrl = url;
        if (line.includes('waiting for runs')) {
          clearTimeout(timer);
          resolve({ child, log: () => text, ...(metricsUrl ? { metricsUrl } : {}) });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${text}`)));
  });
}

async function scrape(url: string): Promise<{ text: string; value(name: string): number }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  return {
    text,
    value: (name) => {
      const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
      if (!line) throw new Error(`no sample ${name} in:\n${text}`);
      return Number(line.slice(name.length + 1));
    },
  };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'roma-worker-metrics-'));
  await adminQuery((client) => client.query(`CREATE DATABASE "${database}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  databaseUrl = url.toString();
  model = await startScriptedModelServer({ rules: scriptedTreeRules(tree) });
  runtime = await openRuntime(loadConfig({ cwd: dataDir, env: { ...env(), ROMA_LOG_LEVEL: 'warn' } }), {
    logName: 'test',
  });
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await runtime?.close();
  await model?.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await adminQuery((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('roma worker --metrics-port', { timeout: 120_000 }, () => {
  it('serves queue depth by state and the runs this worker took', async () => {
    const worker = await startWorker(['--metrics-port', '0']);
    expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const url = worker.metricsUrl!;
    const before = await scrape(url);
    expect(before.text).toContain('# TYPE roma_queue_jobs gauge');
    expect(before.value('roma_worker_runs_taken')).toBe(0);
    expect(before.value('roma_worker_stalled_recoveries')).toBe(0);
    expect(before.value('roma_queue_jobs{state="waiting"}')).toBe(0);

    // Concurrency 1: while the first run is in flight the second waits.
    const first = runtime.runs.start({ goal: GOAL });
    const second = runtime.runs.start({ goal: GOAL });
    await until(async () => {
      const now = await scrape(url);
      return (
        now.value('roma_queue_jobs{state="active"}') === 1 &&
        now.value('roma_queue_jobs{state="waiting"}') === 1
      );
    }, 'one active and one waiting job');
    expect((await first.done).status).toBe('COMPLETED');
    expect((await second.done).status).toBe('COMPLETED');
    await until(
      async () => (await scrape(url)).value('roma_queue_jobs{state="completed"}') === 2,
      'two completed jobs',
    );
    const after = await scrape(url);
    expect(after.value('roma_worker_runs_taken')).toBe(2);
    expect(after.value('roma_queue_jobs{state="active"}')).toBe(0);
    expect(after.value('roma_queue_jobs{state="waiting"}')).toBe(0);
    expect(after.value('roma_queue_jobs{state="failed"}')).toBe(0);
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
    worker.child.kill('SIGTERM');
    await new Promise((resolve) => worker.child.once('exit', resolve));
  });

  it('counts the stalled run it took over from a worker killed with SIGKILL', async () => {
    // Both workers wait before the run is queued, so the one that did not take it is ready to inherit it however
    // slowly a busy machine starts a process (a worker started after the run could find it already finished).
    const workers = await Promise.all([
      startWorker(['--metrics-port', '0']),
      startWorker(['--metrics-port', '0']),
    ]);
    const handle = runtime.runs.start({ goal: GOAL });
    await until(
      async () =>
        (await runtime.store.readEvents(handle.executionId)).some(
          (event) => event.type === 'task-start' && event.goal === 'Count the new bridge',
        ),
      'the slow task to start',
    );
    const victimIndex = workers.findIndex((worker) => worker.log().includes('"msg":"starting run"'));
    expect(victimIndex).toBeGreaterThanOrEqual(0);
    const victim = workers[victimIndex]!;
    const heir = workers[1 - victimIndex]!;
    victim.child.kill('SIGKILL');
    expect((await handle.done).status).toBe('COMPLETED');
    expect(heir.log()).toContain('"msg":"resuming run"');
    const after = await scrape(heir.metricsUrl!);
    expect(after.value('roma_worker_stalled_recoveries')).toBeGreaterThanOrEqual(1);
    expect(after.value('roma_worker_runs_taken')).toBe(1);
  });

  it('refuses a metrics port that is not a port, naming the option', async () => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, 'worker', '--metrics-port', 'ninety'], {
      cwd: dataDir,
      env: env(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('--metrics-port');
  });
});
