// Tests only: the real runtime with the demo model behind the API adapter, and a seeded run with an artifact.
import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import type { Runtime } from '../runtime/index.js';
import { openRuntime } from '../runtime/index.js';
import type { ApiRuntime } from './api-runtime.js';
import { apiRuntimeFrom } from './runtime-adapter.js';

export interface TestApiRuntime {
  runtime: ApiRuntime;
  engine: Runtime;
  demoGoal: string;
  /** Settles when every run this process runs has ended. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The demo model at `latencyMs` per reply, on a SQLite store under `dataDir` (or PostgreSQL at `databaseUrl`). */
export async function openTestApiRuntime(options: {
  dataDir: string;
  latencyMs?: number;
  databaseUrl?: string;
  env?: Record<string, string>;
}): Promise<TestApiRuntime> {
  const config = loadConfig({
    cwd: options.dataDir,
    env: {
      ROMA_DATA_DIR: join(options.dataDir, 'data'),
      ROMA_CACHE_ENABLED: 'false',
      ROMA_LOG_LEVEL: 'warn',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
  });
  const engine = await openRuntime(config, {
    demo: { latencyMs: options.latencyMs ?? 0 },
    cache: false,
    logName: 'server',
    cancelPollIntervalMs: 100,
  });
  const runtime = apiRuntimeFrom(engine);
  return {
    runtime,
    engine,
    demoGoal: engine.demoModel!.goal,
    idle: async () => {
      await Promise.allSettled([...engine.runs.active().values()].map((handle) => handle.done));
    },
    close: () => engine.close(),
  };
}

/** A short stored run (start, one artifact, end) whose artifact holds `text`; returns its id. */
export async function seedArtifactRun(runtime: ApiRuntime, name: string, text: string): Promise<string> {
  const executionId = `run-artifact-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const timestamp = () => new Date().toISOString();
  await runtime.store.createExecution({ id: executionId, goal: 'make an artifact' });
  await runtime.store.append({
    type: 'execution-start',
    executionId,
    timestamp: timestamp(),
    goal: 'make an artifact',
    rootTaskId: 'root',
    options: {},
  });
  const artifact = await runtime.artifacts.put({
    executionId,
    taskId: 'root',
    name,
    mimeType: name.endsWith('.csv') ? 'text/csv' : 'text/plain',
    bytes: new TextEncoder().encode(text),
  });
  await runtime.store.append({
    type: 'artifact-created',
    executionId,
    timestamp: timestamp(),
    taskId: 'root',
    artifact,
  });
  return executionId;
}
