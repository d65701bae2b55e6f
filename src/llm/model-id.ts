// Model ids as users write them, `<provider>:<model>`, split into the provider and the provider's model name.
import { RomaError } from '../contracts/index.js';

export const MODEL_PROVIDERS = ['anthropic', 'openai', 'openai-compatible'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

interface ParsedModelId {
  provider: ModelProvider;
  /** The name sent to the provider, e.g. `claude-sonnet-4-5`, `gpt-4o-mini`, `meta-llama/llama-3.1-8b`. */
  modelName: string;
}

function isProvider(value: string): value is ModelProvider {
  return (MODEL_PROVIDERS as readonly string[]).includes(value);
}

/** `field` names the config key the id came from, so the error points at it. */
export function parseModelId(modelId: string, field = 'llm.model'): ParsedModelId {
  const separator = modelId.indexOf(':');
  const provider = separator > 0 ? modelId.slice(0, separator) : '';
  const modelName = separator > 0 ? modelId.slice(separator + 1) : '';
  if (!isProvider(provider) || modelName.length === 0) {
    throw new RomaError(
      'CONFIG_INVALID',
      `model id "${modelId}" is not <provider>:<model> with provider ${MODEL_PROVIDERS.join(', ')}`,
      {
        field,
        fix: 'write e.g. anthropic:claude-sonnet-4-5, openai:gpt-4o-mini, or openai:<model> with llm.openaiBaseUrl for OpenRouter, Ollama or vLLM',
      },
    );
  }
  return { provider, modelName };
}
