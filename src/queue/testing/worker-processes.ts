// `roma worker` processes for queue tests, on real Redis and PostgreSQL: a database, a queue prefix and a scripted
// model of the test file's own, a runtime that queues runs for the workers, and workers started and killed at will.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { romaEnv, romaNodeArguments, scriptedModelEnv } from '../../cli/commands/cli-test-support.js';
import { loadConfig } from '../../config/index.js';
import type { ScriptedModelServer, ScriptedRule } from '../../dev/scripted-model/index.js';
import { startScriptedModelServer } from '../../dev/scripted-model/index.js';
import { openRuntime, type Runtime } from '../../runtime/index.js';
import { createTestDatabase, type TestDatabase } from '../../store/testing/test-database.js';
import { deleteQueueKeys, TEST_REDIS_URL, uniqueQueuePrefix } from './test-redis.js';

export interface WorkerProcessesOptions {
  /** Names the temp dir and the queue prefix. */
  name: string;
  rules: ScriptedRule[];
  /** Over the common env (scripted model, no cache, BullMQ, 2 s job locks), for the runtime and every worker. */
  env?: Record<string, string>;
  cancelPollIntervalMs?: number;
}

/** A `roma worker` that said it waits for runs. */
export interface StartedWorker {
  child: ChildProcess;
  /** Logged by a worker started with `--metrics-port`. */
  metricsUrl?: string;
  /** What the worker has logged so far (the last 50,000 characters). */
  log(): string;
}

export interface WorkerProcesses {
  dataDir: string;
  prefix: string;
  model: ScriptedModelServer;
  /** Queues runs for the workers; logs warnings only. */
  runtime: Runtime;
  /** Every worker `startWorker` started, killed ones too. */
  workers: StartedWorker[];
  /** The env every worker gets (it logs at info, which is how readiness is seen). */
  env(): Record<string, string>;
  /** `roma worker <args>`, not waited for (its stderr is the caller's to read). */
  spawnWorker(args: string[]): ChildProcess;
  /** `roma worker --concurrency 1 <args>`, once it waits for runs (and logged its metrics URL, if it serves one). */
  startWorker(args?: string[]): Promise<StartedWorker>;
  /** Kills every worker, closes the runtime and the model, removes the queue's keys, the database and the dir. */
  close(): Promise<void>;
}

export async function openWorkerProcesses(options: WorkerProcessesOptions): Promise<WorkerProcesses> {
  const dataDir = mkdtempSync(join(tmpdir(), `roma-${options.name}-`));
  const prefix = uniqueQueuePrefix(options.name);
  const children: ChildProcess[] = [];
  const workers: StartedWorker[] = [];
  let database: TestDatabase | undefined;
  let model: ScriptedModelServer | undefined;
  let runtime: Runtime | undefined;
  const close = async () => {
    for (const child of children) child.kill('SIGKILL');
    await runtime?.close();
    await model?.close();
    await deleteQueueKeys(prefix);
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    database = await createTestDatabase();
    model = await startScriptedModelServer({ rules: options.rules });
    const common = {
      ...scriptedModelEnv(model),
      ROMA_CACHE_ENABLED: 'false',
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      ROMA_QUEUE: 'bullmq',
      ROMA_QUEUE_PREFIX: prefix,
      ROMA_QUEUE_LOCK_DURATION_MS: '2000',
      ...options.env,
    };
    const env = () => romaEnv({ ...common, ROMA_LOG_LEVEL: 'info' });
    runtime = await openRuntime(
      loadConfig({ cwd: dataDir, env: romaEnv({ ...common, ROMA_LOG_LEVEL: 'warn' }) }),
      {
        logName: 'test',
        ...(options.cancelPollIntervalMs ? { cancelPollIntervalMs: options.cancelPollIntervalMs } : {}),
      },
    );
    const spawnWorker = (args: string[]) => {
      const child = spawn(process.execPath, romaNodeArguments(['worker', ...args]), {
        cwd: dataDir,
        env: env(),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      return child;
    };
    const startWorker = (args: string[] = []) => {
      const child = spawnWorker(['--concurrency', '1', ...args]);
      const servesMetrics = args.includes('--metrics-port');
      return new Promise<StartedWorker>((resolve, reject) => {
        let text = '';
        const worker: StartedWorker = { child, log: () => text };
        workers.push(worker);
        const timer = setTimeout(() => reject(new Error(`worker not ready in 60 s:\n${text}`)), 60_000);
        child.stderr?.on('data', (chunk: Buffer) => {
          text = (text + chunk.toString()).slice(-50_000);
          const metricsUrl = worker.metricsUrl ?? /"metricsUrl":"([^"]+)"/.exec(text)?.[1];
          if (metricsUrl) worker.metricsUrl = metricsUrl;
          if (text.includes('waiting for runs') && (metricsUrl || !servesMetrics)) {
            clearTimeout(timer);
            resolve(worker);
          }
        });
        child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${text}`)));
      });
    };
    return { dataDir, prefix, model, runtime, workers, env, spawnWorker, startWorker, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The value of the Prometheus sample `name` (with its labels, as written) in an exposition. */
export function metricSample(text: string, name: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  if (!line) throw new Error(`no sample ${name} in:\n${text}`);
  return Number(line.slice(name.length + 1));
}
