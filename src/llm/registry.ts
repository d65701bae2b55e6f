// Resolves `<provider>:<model>` ids from the llm config into AI SDK language models, with optional middleware.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV3, LanguageModelV3Middleware } from '@ai-sdk/provider';
import { wrapLanguageModel } from 'ai';
import { SecretList, secretValuesOf } from '../config/secrets.js';
import type { LlmConfig } from '../config/sections/llm.js';
import { DEFAULT_MODEL_MAX_RETRIES, DEFAULT_MODEL_TIMEOUT_MS } from '../config/sections/llm.js';
import type { ModelResolver } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import { refusedConnectionFailsFast } from './connect-errors.js';
import { type ParsedModelId, parseModelId } from './model-id.js';
import { attachModelSettings } from './model-settings.js';
import { type ModelPrice, type PriceTable, priceFor } from './prices.js';

export interface ModelRegistryOptions {
  /** Applied to every resolved model, first one outermost (e.g. the LLM-response cache). */
  middleware?: LanguageModelV3Middleware[];
  /** The process's one secret list; the registry adds its API keys and scrubs model-call errors with it. */
  secrets?: SecretList;
}

/** A `ModelResolver` (src/contracts) over the llm config, with prices. */
export interface ModelRegistry extends ModelResolver {
  priceFor(modelId: string): ModelPrice | undefined;
  /** The `llm.prices` overrides. */
  readonly prices: PriceTable;
}

const NO_MODEL_MESSAGE =
  'no model configured: set llm.model (env ROMA_MODEL, flag --model) to anthropic:<model> with ANTHROPIC_API_KEY, ' +
  'or to openai:<model> with OPENAI_API_KEY (+ OPENAI_BASE_URL for OpenRouter, Ollama, vLLM)';

/** Local OpenAI-compatible servers (Ollama, vLLM) take no key, but the client insists on one. */
const PLACEHOLDER_API_KEY = 'no-key-needed';

function buildModel(modelId: string, parsed: ParsedModelId, config: LlmConfig): LanguageModelV3 {
  if (parsed.provider === 'anthropic') {
    if (!config.anthropicApiKey) {
      throw new RomaError(
        'MODEL_NOT_CONFIGURED',
        `model ${modelId} needs an Anthropic API key: set ANTHROPIC_API_KEY (or llm.anthropicApiKey)`,
        {
          field: 'llm.anthropicApiKey',
          fix: 'export ANTHROPIC_API_KEY=… or write llm.anthropicApiKey in roma.config.yaml',
        },
      );
    }
    return createAnthropic({
      apiKey: config.anthropicApiKey,
      fetch: refusedConnectionFailsFast('llm.anthropicBaseUrl', 'ANTHROPIC_BASE_URL'),
      ...(config.anthropicBaseUrl ? { baseURL: config.anthropicBaseUrl } : {}),
    })(parsed.modelName);
  }
  if (parsed.provider === 'openai-compatible' && !config.openaiBaseUrl) {
    throw new RomaError(
      'MODEL_NOT_CONFIGURED',
      `model ${modelId} needs the base URL of an OpenAI-compatible server: set OPENAI_BASE_URL (or llm.openaiBaseUrl)`,
      {
        field: 'llm.openaiBaseUrl',
        fix: 'e.g. OPENAI_BASE_URL=http://127.0.0.1:11434/v1 for Ollama',
      },
    );
  }
  if (!config.openaiApiKey && !config.openaiBaseUrl) {
    throw new RomaError(
      'MODEL_NOT_CONFIGURED',
      `model ${modelId} needs an OpenAI API key: set OPENAI_API_KEY (or llm.openaiApiKey)`,
      {
        field: 'llm.openaiApiKey',
        fix: 'for OpenRouter, Ollama or vLLM also set OPENAI_BASE_URL (llm.openaiBaseUrl)',
      },
    );
  }
  // Chat completions rather than the Responses API: it is what every OpenAI-compatible server speaks.
  return createOpenAI({
    apiKey: config.openaiApiKey ?? PLACEHOLDER_API_KEY,
    fetch: refusedConnectionFailsFast('llm.openaiBaseUrl', 'OPENAI_BASE_URL'),
    ...(config.openaiBaseUrl ? { baseURL: config.openaiBaseUrl } : {}),
  }).chat(parsed.modelName);
}

export function createModelRegistry(config: LlmConfig, options: ModelRegistryOptions = {}): ModelRegistry {
  const models = new Map<string, LanguageModelV3>();
  const prices: PriceTable = config.prices ?? {};
  const middleware = options.middleware ?? [];
  const secrets = options.secrets ?? new SecretList();
  secrets.add(secretValuesOf(config));

  return {
    defaultModelId: config.model,
    prices,
    priceFor: (modelId) => priceFor(modelId, prices),
    resolve(modelId) {
      const id = modelId ?? config.model;
      if (!id) {
        throw new RomaError('MODEL_NOT_CONFIGURED', NO_MODEL_MESSAGE, {
          field: 'llm.model',
          fix: 'e.g. export ANTHROPIC_API_KEY=… ROMA_MODEL=anthropic:claude-sonnet-4-5; `npm run demo` runs with a scripted model',
        });
      }
      const known = models.get(id);
      if (known) return known;
      const base = buildModel(id, parseModelId(id), config);
      const model = middleware.length > 0 ? wrapLanguageModel({ model: base, middleware }) : base;
      attachModelSettings(model, {
        modelId: id,
        prices,
        timeoutMs: config.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS,
        maxRetries: config.maxRetries ?? DEFAULT_MODEL_MAX_RETRIES,
        redact: secrets.redact,
      });
      models.set(id, model);
      return model;
    },
  };
}
