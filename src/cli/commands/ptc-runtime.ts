// Wires the PTC agent from config: MCP manager, model registry (behind the LLM cache), sandboxes, stores.
import type { LlmCache } from '../../cache/index.js';
import { openLlmCache } from '../../cache/index.js';
import type { RomaConfig } from '../../config/index.js';
import type { SandboxProviderName } from '../../contracts/index.js';
import { createModelRegistry } from '../../llm/index.js';
import type { PtcAgent, PtcAgentDeps } from '../../ptc/index.js';
import { createHttpCodeAgent, createPtcAgent, McpManager } from '../../ptc/index.js';
import { createSandboxFromConfig, type Sandbox } from '../../sandbox/index.js';
import { openArtifactStore } from '../../store/index.js';
import type { CodeAgentFactory } from '../wiring/index.js';

export interface PtcRuntime {
  agent: PtcAgent;
  manager: McpManager;
  close(): Promise<void>;
}

export interface PtcRuntimeOptions {
  /** Overrides `ptc.mode`. */
  mode?: PtcAgentDeps['mode'];
  onEvent?: PtcAgentDeps['onEvent'];
  emitArtifactEvents?: boolean;
  /**
   * The process's LLM cache to share (null: caching disabled); the runtime then neither opens nor closes
   * one. Absent: it opens its own from `config.cache`.
   */
  llmCache?: LlmCache | null;
}

/** The in-process PTC agent with everything it holds open; `close()` ends MCP children and sandbox pools. */
export async function openPtcRuntime(
  config: RomaConfig,
  options: PtcRuntimeOptions = {},
): Promise<PtcRuntime> {
  const manager = new McpManager({ servers: config.ptc.mcpServers });
  const shared = options.llmCache !== undefined;
  const cache = shared ? options.llmCache : await openLlmCache(config.cache, { prices: config.llm.prices });
  const models = createModelRegistry(config.llm, { middleware: cache ? [cache.middleware] : [] });
  const sandboxes = new Map<SandboxProviderName, Sandbox>();
  const sandboxFor = (provider: SandboxProviderName): Sandbox => {
    let sandbox = sandboxes.get(provider);
    if (!sandbox) {
      sandbox = createSandboxFromConfig(config.sandbox, provider);
      sandboxes.set(provider, sandbox);
    }
    return sandbox;
  };
  const agent = createPtcAgent({
    models,
    sandboxFor,
    tools: manager,
    artifactStore: openArtifactStore(config.store),
    ...(cache ? { cache: cache.store } : {}),
    mode: options.mode ?? config.ptc.mode,
    modelTimeoutMs: config.llm.timeoutMs,
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
      await Promise.all([...sandboxes.values()].map((sandbox) => sandbox.close().catch(() => undefined)));
      if (cache && !shared) {
        await cache.flush().catch(() => undefined);
        await Promise.resolve(cache.store.close()).catch(() => undefined);
      }
    },
  };
}

/** The engine's code agent: the PTC service's HTTP client when `ptc.serviceUrl` is set, else in process. */
export const ptcCodeAgentFactory: CodeAgentFactory = async (config, context = {}) => {
  if (config.ptc.serviceUrl) return { agent: createHttpCodeAgent(config.ptc.serviceUrl) };
  const runtime = await openPtcRuntime(
    config,
    context.llmCache === undefined ? {} : { llmCache: context.llmCache },
  );
  return { agent: runtime.agent, close: () => runtime.close() };
};
