// Tests only: an ApiRuntime over the engine with the scripted demo model, and small HTTP/WS client helpers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startScriptedModelServer } from '../../test/support/scripted-model/index.js';
import { DEMO_MODEL_ID, demoConfig, demoScriptPath } from '../cli/commands/demo.js';
import { openEngineRuntime } from '../cli/wiring/index.js';
import { loadConfig } from '../config/index.js';
import type { StreamEvent } from '../contracts/index.js';
import { parseJsonWith, RomaError } from '../contracts/index.js';
import { ScriptedTreeSchema, scriptedTreeRules } from '../engine/testing/scripted-tree.js';
import { openArtifactStore } from '../store/index.js';
import type { ApiRuntime } from './api-runtime.js';

export interface TestApiRuntime {
  runtime: ApiRuntime;
  demoGoal: string;
  /** Settles when every run started through it has ended. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The demo tree at `latencyMs` per reply, on a SQLite store in `dataDir` (or `databaseUrl`). */
export async function openTestApiRuntime(options: {
  dataDir: string;
  latencyMs?: number;
  databaseUrl?: string;
}): Promise<TestApiRuntime> {
  const file = demoScriptPath();
  const parsed = parseJsonWith(ScriptedTreeSchema, readFileSync(file, 'utf8'), file);
  if (!parsed.ok) throw new RomaError('VALIDATION_FAILED', parsed.message);
  const model = await startScriptedModelServer({
    rules: scriptedTreeRules({ ...parsed.value, latencyMs: options.latencyMs ?? 0 }),
  });
  const base = loadConfig({
    cwd: options.dataDir,
    env: {
      ROMA_DATA_DIR: join(options.dataDir, 'data'),
      ROMA_CACHE_ENABLED: 'false',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    },
  });
  const config = demoConfig(base, model.openaiBaseUrl);
  const engine = await openEngineRuntime(config, { cache: false });
  const running = new Map<string, { cancel(message?: string): void; done: Promise<unknown> }>();
  const watch = (
    executionId: string,
    handle: {
      cancel(message?: string): void;
      done: Promise<unknown>;
      events(): AsyncIterableIterator<StreamEvent>;
    },
  ) => {
    running.set(executionId, handle);
    void handle.done.catch(() => undefined).finally(() => running.delete(executionId));
  };
  const firstEvent = async (handle: {
    done: Promise<unknown>;
    events(): AsyncIterableIterator<StreamEvent>;
  }) => {
    const events = handle.events();
    try {
      await Promise.race([events.next(), handle.done]);
    } finally {
      await events.return?.();
    }
  };
  const runtime: ApiRuntime = {
    store: engine.store,
    artifacts: openArtifactStore(config.store),
    demo: { goal: parsed.value.goal },
    checkReady: async () => [
      { name: 'store', ok: (await engine.store.listExecutions({ limit: 1 })) !== undefined },
    ],
    runs: {
      start: async (request) => {
        const handle = engine.start(
          { goal: request.goal, modelId: DEMO_MODEL_ID },
          { cancelPollIntervalMs: 100 },
        );
        watch(handle.executionId, handle);
        await firstEvent(handle);
        return { executionId: handle.executionId };
      },
      cancel: async (executionId, reason) => {
        await engine.store.append({
          type: 'execution-cancel-requested',
          executionId,
          timestamp: new Date().toISOString(),
          reason,
        });
      },
      resume: async (executionId) => {
        const handle = engine.resume(executionId, {}, { cancelPollIntervalMs: 100 });
        watch(executionId, handle);
        // A refused resume (CONFLICT, NOT_FOUND) rejects `done` before any event: the caller sees it.
        await firstEvent(handle);
      },
    },
  };
  return {
    runtime,
    demoGoal: parsed.value.goal,
    idle: async () => {
      await Promise.allSettled([...running.values()].map((handle) => handle.done));
    },
    close: async () => {
      for (const handle of running.values()) handle.cancel('test over');
      await Promise.allSettled([...running.values()].map((handle) => handle.done));
      await engine.close();
      await model.close();
    },
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
