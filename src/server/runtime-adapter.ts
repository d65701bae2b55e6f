// Adapts the process's Runtime (src/runtime) to what the API needs; per-run options become an engine config.
import type { RomaConfig } from '../config/index.js';
import { EngineConfigSchema } from '../config/index.js';
import type { ResumeExecutionRequest, StartExecutionRequest, StreamEvent } from '../contracts/index.js';
import { parseWith, RomaError } from '../contracts/index.js';
import type { EngineDependencies, EngineRunConfig, ExecutionHandle } from '../engine/index.js';
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

function setDotted(target: Record<string, unknown>, path: string[], value: unknown): void {
  let cursor = target;
  for (const segment of path.slice(0, -1)) {
    const next = cursor[segment];
    cursor[segment] =
      typeof next === 'object' && next !== null ? { ...(next as Record<string, unknown>) } : {};
    cursor = cursor[segment] as Record<string, unknown>;
  }
  cursor[path.at(-1)!] = value;
}

/** The engine settings of one run: the server's, with the request's limits and `engine.*` overrides. */
export function runEngineConfig(
  base: EngineRunConfig,
  request: Pick<StartExecutionRequest, 'maxDepth' | 'maxConcurrency' | 'budgetUsd' | 'config'> & {
    maxTokens?: number;
  },
): EngineRunConfig {
  const engine: Record<string, unknown> = structuredClone(base.engine) as Record<string, unknown>;
  for (const [key, value] of Object.entries(request.config ?? {})) {
    const path = key.split('.');
    if (
      path[0] !== 'engine' ||
      path.length < 2 ||
      path.some(
        (segment) =>
          segment === '' || segment === '__proto__' || segment === 'constructor' || segment === 'prototype',
      )
    ) {
      throw new RomaError(
        'VALIDATION_FAILED',
        `body.config.${key}: only engine.* settings can be set per run`,
        {
          field: `body.config.${key}`,
          fix: 'other settings are the server’s (its config file and environment)',
        },
      );
    }
    setDotted(engine, path.slice(1), value);
  }
  if (request.maxDepth !== undefined) engine.maxDepth = request.maxDepth;
  if (request.maxConcurrency !== undefined) engine.maxConcurrency = request.maxConcurrency;
  const budgets = { ...(engine.budgets as Record<string, unknown>) };
  if (request.budgetUsd !== undefined) budgets.maxCostUsd = request.budgetUsd;
  if (request.maxTokens !== undefined) budgets.maxTokens = request.maxTokens;
  engine.budgets = budgets;
  const parsed = parseWith(EngineConfigSchema, engine, 'engine');
  if (!parsed.ok) {
    const path = parsed.issues[0]?.path;
    throw new RomaError('VALIDATION_FAILED', `body.config: ${parsed.message}`, {
      field: `body.config.engine${path ? `.${path}` : ''}`,
      fix: 'see `roma config show` for the engine settings and their ranges',
    });
  }
  return { ...base, engine: parsed.value };
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
          { goal: request.goal, ...(modelId ? { modelId } : {}) },
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
