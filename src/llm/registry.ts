// Resolves `<provider>:<model>` ids from the llm config into AI SDK language models, with optional middleware.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import {
  type LanguageModelV3,
  type LanguageModelV3Middleware,
  NoSuchModelError,
  type ProviderV3,
} from '@ai-sdk/provider';
import { createProviderRegistry } from 'ai';
import { SecretList, secretValuesOf } from '../config/secrets.js';
import type { LlmConfig } from '../config/sections/llm.js';
import type { ModelResolver } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import { refusedConnectionFailsFast } from './connect-errors.js';
import { type ModelProvider, parseModelId } from './model-id.js';
import { attachModelSettings } from './model-settings.js';
import { type ModelPrice, type PriceTable, priceFor } from './prices.js';

interface ModelRegistryOptions {
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

/** A provider of language models only: roma asks for nothing else. */
function languageModelProvider(build: (modelName: string) => LanguageModelV3): ProviderV3 {
  return {
    specificationVersion: 'v3',
    languageModel: build,
    embeddingModel: (modelId) => {
      throw new NoSuchModelError({ modelId, modelType: 'embeddingModel' });
    },
    imageModel: (modelId) => {
      throw new NoSuchModelError({ modelId, modelType: 'imageModel' });
    },
  };
}

/** A provider whose config lacks a key or URL: asking it for a model says what to set. */
function unconfigured(provider: ModelProvider, missing: (modelId: string) => RomaError): ProviderV3 {
  return languageModelProvider((modelName) => {
    throw missing(`${provider}:${modelName}`);
  });
}

function anthropicProvider(config: LlmConfig): ProviderV3 {
  if (!config.anthropicApiKey) {
    return unconfigured(
      'anthropic',
      (modelId) =>
        new RomaError(
          'MODEL_NOT_CONFIGURED',
          `model ${modelId} needs an Anthropic API key: set ANTHROPIC_API_KEY (or llm.anthropicApiKey)`,
          {
            field: 'llm.anthropicApiKey',
            fix: 'export ANTHROPIC_API_KEY=… or write llm.anthropicApiKey in roma.config.yaml',
          },
        ),
    );
  }
  return createAnthropic({
    apiKey: config.anthropicApiKey,
    fetch: refusedConnectionFailsFast('llm.anthropicBaseUrl', 'ANTHROPIC_BASE_URL'),
    ...(config.anthropicBaseUrl ? { baseURL: config.anthropicBaseUrl } : {}),
  });
}

function openaiChatProvider(config: LlmConfig): ProviderV3 {
  const openai = createOpenAI({
    apiKey: config.openaiApiKey ?? PLACEHOLDER_API_KEY,
    fetch: refusedConnectionFailsFast('llm.openaiBaseUrl', 'OPENAI_BASE_URL'),
    ...(config.openaiBaseUrl ? { baseURL: config.openaiBaseUrl } : {}),
  });
  // Chat completions rather than the Responses API: it is what every OpenAI-compatible server speaks.
  return languageModelProvider((modelName) => openai.chat(modelName));
}

function openaiProvider(config: LlmConfig): ProviderV3 {
  if (config.openaiApiKey || config.openaiBaseUrl) return openaiChatProvider(config);
  return unconfigured(
    'openai',
    (modelId) =>
      new RomaError(
        'MODEL_NOT_CONFIGURED',
        `model ${modelId} needs an OpenAI API key: set OPENAI_API_KEY (or llm.openaiApiKey)`,
        {
          field: 'llm.openaiApiKey',
          fix: 'for OpenRouter, Ollama or vLLM also set OPENAI_BASE_URL (llm.openaiBaseUrl)',
        },
      ),
  );
}

function openaiCompatibleProvider(config: LlmConfig): ProviderV3 {
  if (config.openaiBaseUrl) return openaiChatProvider(config);
  return unconfigured(
    'openai-compatible',
    (modelId) =>
      new RomaError(
        'MODEL_NOT_CONFIGURED',
        `model ${modelId} needs the base URL of an OpenAI-compatible server: set OPENAI_BASE_URL (or llm.openaiBaseUrl)`,
        {
          field: 'llm.openaiBaseUrl',
          fix: 'e.g. OPENAI_BASE_URL=http://127.0.0.1:11434/v1 for Ollama',
        },
      ),
  );
}

export function createModelRegistry(config: LlmConfig, options: ModelRegistryOptions = {}): ModelRegistry {
  const models = new Map<string, LanguageModelV3>();
  const prices: PriceTable = config.prices ?? {};
  const secrets = options.secrets ?? new SecretList();
  secrets.add(secretValuesOf(config));
  const providers: Record<ModelProvider, ProviderV3> = {
    anthropic: anthropicProvider(config),
    openai: openaiProvider(config),
    'openai-compatible': openaiCompatibleProvider(config),
  };
  // The AI SDK's registry splits `<provider>:<model>` and wraps every model in the middleware.
  const registry = createProviderRegistry(providers, { languageModelMiddleware: options.middleware ?? [] });

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
      // Checked first: a wrong id gets our error naming the config key, not the SDK's NoSuchProviderError.
      const { provider, modelName } = parseModelId(id);
      const model = registry.languageModel(`${provider}:${modelName}`);
      // Timeout and retries travel with the model (the config holds their one default) to the AI SDK's call.
      attachModelSettings(model, {
        modelId: id,
        prices,
        timeoutMs: config.timeoutMs,
        maxRetries: config.maxRetries,
        redact: secrets.redact,
      });
      models.set(id, model);
      return model;
    },
  };
}
