// Wires the in-process PTC agent: MCP manager, sandboxes (one per provider, opened lazily), artifact store, cache.
import type { LlmCache } from '../cache/index.js';
import { openLlmCache } from '../cache/index.js';
import { type RomaConfig, SecretList, secretValuesOf } from '../config/index.js';
import type { ModelRegistry } from '../llm/index.js';
import { createModelRegistry } from '../llm/index.js';
import type { McpManager, PtcAgent, PtcAgentDeps } from '../ptc/index.js';
import { createPtcAgent } from '../ptc/index.js';
import type { ArtifactStore } from '../store/index.js';
import { openArtifactStore } from '../store/index.js';
import { openSandboxes } from './sandboxes.js';
import { openTools } from './tools.js';

export interface PtcRuntime {
  agent: PtcAgent;
  manager: McpManager;
  close(): Promise<void>;
}

interface PtcRuntimeOptions {
  /** Overrides `ptc.mode`. */
  mode?: PtcAgentDeps['mode'];
  onEvent?: PtcAgentDeps['onEvent'];
  emitArtifactEvents?: boolean;
  /**
   * The process's LLM cache to share (null: caching disabled); the agent then neither opens nor closes one.
   * Absent: it opens its own from `config.cache`.
   */
  llmCache?: LlmCache | null;
  /** The process's model registry to share; absent: one over `config.llm` behind the cache. */
  models?: ModelRegistry;
  /** The process's artifact store; absent: opened from `config.store`. */
  artifacts?: ArtifactStore;
  /** The process's one secret list (shared with `models`); absent: one from the config's secrets. */
  secrets?: SecretList;
}

/** The in-process PTC agent with everything it holds open; `close()` ends MCP children and sandbox pools. */
export async function openPtcRuntime(
  config: RomaConfig,
  options: PtcRuntimeOptions = {},
): Promise<PtcRuntime> {
  // One secret list for the process: the config's secrets, plus every value an MCP server's config substitutes.
  const secrets = options.secrets ?? new SecretList(secretValuesOf(config));
  const manager = openTools(config, secrets);
  const shared = options.llmCache !== undefined;
  const cache = shared ? options.llmCache : await openLlmCache(config.cache, { prices: config.llm.prices });
  const models =
    options.models ??
    createModelRegistry(config.llm, { middleware: cache ? [cache.middleware] : [], secrets });
  const sandboxes = openSandboxes(config.sandbox);
  const agent = createPtcAgent({
    models,
    sandboxFor: (provider) => sandboxes.sandboxFor(provider),
    tools: manager,
    artifactStore: options.artifacts ?? openArtifactStore(config.store),
    ...(cache ? { cache: cache.store } : {}),
    mode: options.mode ?? config.ptc.mode,
    redact: secrets.redact,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.emitArtifactEvents ? { emitArtifactEvents: true } : {}),
  });
  return {
    agent,
    manager,
    close: async () => {
      // Stats counters are written in the background; flush them while the store is still open.
      await agent.flush().catch(() => undefined);
      await manager.close();
      await sandboxes.close();
      if (cache && !shared) {
        await cache.flush().catch(() => undefined);
        await Promise.resolve(cache.store.close()).catch(() => undefined);
      }
    },
  };
}
