// Builds everything a run needs from the config: the store, the model registry (behind the cache), the code agent.
import type { LlmCache } from '../../cache/index.js';
import type { RomaConfig } from '../../config/index.js';
import type { EngineDependencies } from '../../engine/index.js';
import { createModelRegistry } from '../../llm/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { openExecutionStore } from '../../store/index.js';
import type { WiredCodeAgent } from './code-agent.js';
import { createCodeAgent } from './code-agent.js';
import { openLlmCache } from './llm-cache.js';

export interface EngineRuntime {
  config: RomaConfig;
  store: ExecutionStore;
  deps: EngineDependencies;
  cache: LlmCache | null;
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
  let cache: LlmCache | null = null;
  let wired: WiredCodeAgent | undefined;
  try {
    cache = options.cache === false ? null : await openLlmCache(config);
    const models = createModelRegistry(config.llm, { middleware: cache ? [cache.middleware] : [] });
    wired = options.codeAgent ?? (await createCodeAgent(config));
    const deps: EngineDependencies = {
      store,
      models,
      config,
      llm: { timeoutMs: config.llm.timeoutMs, maxRetries: config.llm.maxRetries },
      codeAgent: wired?.agent,
    };
    const openCache = cache;
    const openAgent = wired;
    return {
      config,
      store,
      deps,
      cache,
      close: async () => {
        await openAgent?.close?.().catch(() => undefined);
        if (openCache) {
          await openCache.flush().catch(() => undefined);
          await Promise.resolve(openCache.store.close()).catch(() => undefined);
        }
        await store.close();
      },
    };
  } catch (error) {
    await wired?.close?.().catch(() => undefined);
    if (cache) await Promise.resolve(cache.store.close()).catch(() => undefined);
    await store.close();
    throw error;
  }
}
