// Adapts the process's Runtime (src/runtime) to what the API needs; per-run options become an engine config.
import type { RomaConfig } from '../config/index.js';
import type { ResumeExecutionRequest, StreamEvent } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import type { EngineDependencies, EngineRunConfig, ExecutionHandle } from '../engine/index.js';
import { runEngineConfig } from '../engine/index.js';
import type { Runtime } from '../runtime/index.js';
import type { ApiRuntime, ReadyCheck } from './api-runtime.js';

const READY_CHECK_TIMEOUT_MS = 3_000;

/** Resolves once the run's first event is stored, or rejects with the reason the run was refused. */
async function firstEvent(handle: ExecutionHandle): Promise<void> {
  const events: AsyncIterator<StreamEvent> = handle.events()[Symbol.asyncIterator]();
  try {
    await Promise.race([events.next(), handle.done]);
  } finally {
    await events.return?.();
  }
}

async function bounded(name: string, check: () => Promise<string | undefined>): Promise<ReadyCheck> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const detail = await Promise.race([
      check(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${READY_CHECK_TIMEOUT_MS} ms`)),
          READY_CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { name, ok: true, ...(detail ? { detail } : {}) };
  } catch (error) {
    // The message says what is down, never how to reach it (a URL may carry credentials).
    const message = error instanceof RomaError ? error.code : (error as Error).message.split('://')[0]!;
    return { name, ok: false, detail: message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

export function apiRuntimeFrom(runtime: Runtime, options: { profile?: string } = {}): ApiRuntime {
  const config: RomaConfig = runtime.config;
  const extraFor = (engineConfig: EngineRunConfig): Partial<EngineDependencies> => ({ config: engineConfig });
  return {
    store: runtime.store,
    artifacts: runtime.artifacts,
    demo: runtime.demoModel ? { goal: runtime.demoModel.goal } : undefined,
    trackingStats: () => runtime.tracking.stats(),
    queueCounts: runtime.queueCounts ?? undefined,
    stepQueueCounts: runtime.stepQueue ? () => runtime.stepQueue!.counts() : undefined,
    checkReady: async () => [
      await bounded('store', async () => {
        await runtime.store.listExecutions({ limit: 1 });
        return config.store.databaseUrl ? 'postgresql' : 'sqlite';
      }),
      await bounded('cache', async () => {
        if (!runtime.cache) return 'off';
        const probe = `ready-probe:${process.pid}`;
        await runtime.cache.store.set(probe, '1', { ttlMs: 5_000 });
        await runtime.cache.store.delete(probe);
        return runtime.cache.store.kind;
      }),
      await bounded('sandbox', async () => {
        if (!runtime.codeAgent) return 'no code agent (CODE tasks fail)';
        const failed = runtime.ptc?.manager.status().filter((server) => server.status === 'failed') ?? [];
        if (failed.length > 0)
          throw new Error(`MCP servers failed: ${failed.map((server) => server.name).join(', ')}`);
        return config.sandbox.provider;
      }),
    ],
    runs: {
      start: async (request) => {
        if (request.profile !== undefined && request.profile !== options.profile) {
          const running = options.profile === undefined ? 'no profile' : `profile "${options.profile}"`;
          throw new RomaError('VALIDATION_FAILED', `body.profile: this server runs ${running}`, {
            field: 'body.profile',
            fix: 'profiles are chosen when the server starts (`roma serve --profile <name>`)',
          });
        }
        const engineConfig = runEngineConfig(runtime.engine.config, request);
        const modelId = request.model ?? runtime.demoModel?.modelId;
        const handle = runtime.runs.start(
          {
            goal: request.goal,
            ...(modelId ? { modelId } : {}),
            ...(request.metadata ? { metadata: request.metadata } : {}),
          },
          extraFor(engineConfig),
        );
        await firstEvent(handle);
        return { executionId: handle.executionId };
      },
      cancel: async (executionId, reason) => {
        // Recorded now; the process running it stops at its next check (or at once when it is this one).
        await runtime.runs.cancel(executionId, { reason, waitMs: 0 });
      },
      resume: async (executionId: string, request: ResumeExecutionRequest) => {
        const engineConfig = runEngineConfig(runtime.engine.config, request);
        const handle = runtime.runs.resume(
          executionId,
          { force: request.force ?? false },
          extraFor(engineConfig),
        );
        await firstEvent(handle);
      },
    },
  };
}
