// The agent's one scrubber: the process's secrets (config) and the tool provider's (MCP substitutions).
import type { PtcAgentDeps } from './types.js';

export function agentRedactor(deps: Pick<PtcAgentDeps, 'redact' | 'tools'>): (text: string) => string {
  const { redact, tools } = deps;
  if (redact && tools) return (text) => tools.redact(redact(text));
  if (redact) return redact;
  if (tools) return (text) => tools.redact(text);
  return (text) => text;
}
