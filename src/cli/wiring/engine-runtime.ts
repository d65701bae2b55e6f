// Builds everything a run needs from the config: the store, the model registry (behind the cache), the code agent.
import type { LlmCache } from '../../cache/index.js';
import { runWithCacheContext } from '../../cache/index.js';
import type { RomaConfig } from '../../config/index.js';
import type { EngineDependencies, ExecutionHandle, ResumeOptions, SolveRequest } from '../../engine/index.js';
import { newExecutionId, startExecution, startResume } from '../../engine/index.js';
import { createModelRegistry } from '../../llm/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { openArtifactStore, openExecutionStore } from '../../store/index.js';
import type { WiredCodeAgent } from './code-agent.js';
import { createCodeAgent } from './code-agent.js';
import type { RunCache } from './run-cache.js';
import { openRunCache } from './run-cache.js';

export interface EngineRuntime {
  config: RomaConfig;
  store: ExecutionStore;
  deps: EngineDependencies;
  cache: LlmCache | null;
  /**
   * Starts a run with `deps` (plus `extra`) inside the run's cache scope: every model call in it — the code
   * agent's too — is tagged with the execution id, so the entries it used are saved with the run.
   */
  start(request: SolveRequest, extra?: Partial<EngineDependencies>): ExecutionHandle;
  /** `startResume` the same way. */
  resume(executionId: string, options?: ResumeOptions, extra?: Partial<EngineDependencies>): ExecutionHandle;
  close(): Promise<void>;
}

export interface EngineRuntimeOptions {
  /** Overrides the registered code agent factory (tests, the demo). */
  codeAgent?: WiredCodeAgent;
  /** False skips the LLM-response cache whatever the config says. */
  cache?: boolean;
}

export async function openEngineRuntime(
  config: RomaConfig,
  options: EngineRuntimeOptions = {},
): Promise<EngineRuntime> {
  const store = await openExecutionStore(config.store);
  let runCache: RunCache | null = null;
  let wired: WiredCodeAgent | undefined;
  try {
    runCache = options.cache === false ? null : await openRunCache(config, openArtifactStore(config.store));
    const cache = runCache?.cache ?? null;
    const models = createModelRegistry(config.llm, { middleware: cache ? [cache.middleware] : [] });
    wired = options.codeAgent ?? (await createCodeAgent(config, { llmCache: cache }));
    const openCache = runCache;
    const deps: EngineDependencies = {
      store,
      models,
      config,
      llm: { timeoutMs: config.llm.timeoutMs, maxRetries: config.llm.maxRetries },
      codeAgent: wired?.agent,
      ...(openCache ? { runArtifacts: (executionId: string) => openCache.saveRunEntries(executionId) } : {}),
    };
    const openAgent = wired;
    return {
      config,
      store,
      deps,
      cache,
      start: (request, extra = {}) => {
        const executionId = request.executionId ?? newExecutionId();
        return runWithCacheContext({ executionId }, () =>
          startExecution({ ...deps, ...extra }, { ...request, executionId }),
        );
      },
      resume: (executionId, resumeOptions = {}, extra = {}) => {
        const { store: resumeStore, ...rest } = { ...deps, ...extra };
        return runWithCacheContext({ executionId }, () =>
          startResume(resumeStore, executionId, rest, resumeOptions),
        );
      },
      close: async () => {
        await openAgent?.close?.().catch(() => undefined);
        await openCache?.close();
        await store.close();
      },
    };
  } catch (error) {
    await wired?.close?.().catch(() => undefined);
    await runCache?.close();
    await store.close();
    throw error;
  }
}
