// An `llm` config section that points both providers at a scripted model server, for tests and demos.
import { type LlmConfig, LlmConfigSchema } from '../../config/sections/llm.js';
import type { ScriptedModelServer } from './types.js';

/**
 * `model` defaults to `openai:scripted`; use `anthropic:<name>` for the Anthropic wire format. Retries stay
 * quick because the server's error replies carry `retry-after-ms`.
 */
export function scriptedLlmConfig(
  server: Pick<ScriptedModelServer, 'openaiBaseUrl' | 'anthropicBaseUrl'>,
  overrides: Partial<LlmConfig> = {},
): LlmConfig {
  return LlmConfigSchema.parse({
    model: 'openai:scripted',
    openaiApiKey: 'scripted-key',
    openaiBaseUrl: server.openaiBaseUrl,
    anthropicApiKey: 'scripted-key',
    anthropicBaseUrl: server.anthropicBaseUrl,
    ...overrides,
  });
}
