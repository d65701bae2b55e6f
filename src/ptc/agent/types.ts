// What the PTC agent is built from: a model resolver, sandboxes, MCP tools, an artifact store and a cache.
import type { CacheStore } from '../../cache/cache-store.js';
import type {
  ModelCallRelease,
  ModelResolver,
  NewStreamEvent,
  SandboxProviderName,
} from '../../contracts/index.js';
import type { Sandbox } from '../../sandbox/sandbox.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import type { ToolProvider } from '../mcp/types.js';

export type PtcMode = 'code' | 'direct';

export interface PtcAgentDeps {
  /** The model registry of `src/llm/`: a model it resolves carries its prices, timeout and retries. */
  models: ModelResolver;
  /** The sandbox for a plan's provider (may open it lazily); SANDBOX_UNAVAILABLE when not set up. */
  sandboxFor: (provider: SandboxProviderName) => Sandbox | Promise<Sandbox>;
  /** The host's MCP clients (connections kept open across executions); absent when no servers are configured. */
  tools?: ToolProvider;
  /** Where files under `results/` go; without one, artifacts are skipped with a warning event. */
  artifactStore?: ArtifactStore;
  /** Store of the PTC result cache (`ptc:v2:<plan hash>`, `createPtcResultCache`); without one, nothing is cached. */
  cache?: CacheStore;
  /** `code` (programmatic tool calling, default) or `direct` (classic JSON tool calls). */
  mode?: PtcMode;
  maxOutputTokens?: number;
  /**
   * The engine records artifact-created from the result itself, so the agent does not by default; the PTC
   * service turns this on for its own event stream.
   */
  emitArtifactEvents?: boolean;
  /** Called with every event the agent emits (the service's WebSocket stream, stats). */
  onEvent?: (event: NewStreamEvent) => void;
  /**
   * The process's secret scrubber (`SecretList.redact`, fed from config: LLM keys, store and MCP credentials).
   * Applied, with the tool provider's, to tool results, program output, events, model requests, model
   * errors and the result.
   */
  redact?: (text: string) => string;
}

export interface AgentRunContext {
  signal: AbortSignal;
  /** Events pass through `redact` on their way out. */
  emit: (event: NewStreamEvent) => Promise<void>;
  /** The caller's model-call slot, held for each model call only (never while a program runs). */
  acquireModelCallSlot?: (signal: AbortSignal) => Promise<ModelCallRelease>;
  /** Every secret of the process (config and MCP substitutions) → `***`. */
  redact: (text: string) => string;
}
