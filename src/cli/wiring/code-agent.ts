// Where the CLI gets the code agent that runs CODE tasks (the PTC agent, in process or over HTTP).
import type { LlmCache } from '../../cache/index.js';
import type { RomaConfig } from '../../config/index.js';
import type { CodeAgent } from '../../engine/index.js';

export interface WiredCodeAgent {
  agent: CodeAgent;
  /** Releases what the agent holds open (MCP connections, sandbox pools). */
  close?: () => Promise<void>;
}

/** What the process already holds open, for the agent to share rather than open its own. */
export interface CodeAgentContext {
  /**
   * The process's LLM-response cache (null when disabled): one cache per process means one set of
   * connections and warnings, and the run's recorder sees the agent's model calls too. Owned by the
   * caller: the agent must not close it.
   */
  llmCache?: LlmCache | null;
}

export type CodeAgentFactory = (
  config: RomaConfig,
  context?: CodeAgentContext,
) => Promise<WiredCodeAgent | undefined>;

let registered: CodeAgentFactory | undefined;

/**
 * Installs the factory the CLI uses for every run. The PTC capability registers one that returns its
 * in-process agent, or its HTTP client when `ptc.serviceUrl` (PTC_SERVICE_URL) is set.
 */
export function registerCodeAgentFactory(factory: CodeAgentFactory | undefined): void {
  registered = factory;
}

/** The configured code agent, or undefined: CODE tasks then fail with NO_CODE_EXECUTOR saying how to enable it. */
export async function createCodeAgent(
  config: RomaConfig,
  context: CodeAgentContext = {},
): Promise<WiredCodeAgent | undefined> {
  return registered ? registered(config, context) : undefined;
}
