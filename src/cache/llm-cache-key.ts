// Key design of the LLM-response cache: `llm:v1:<provider>:<model>:<sha256 of the canonical request>`.
import type { LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { ROMA_PROVIDER_OPTIONS_KEY } from './cache-context.js';
import { canonicalSha256Hex } from './canonical-hash.js';
import { canonicalJson } from './canonical-json.js';

/** Bump to invalidate every stored answer after a change of the canonical form or of the entry format. */
export const LLM_CACHE_VERSION = 'v1';
export const LLM_NAMESPACE = 'llm';

interface LlmCacheKey {
  /** Store key without the store's own prefix (`roma:` by default is added by the store). */
  key: string;
  hash: string;
  /** The exact text that was hashed (built only when read: hashing does not need it). */
  readonly canonical: string;
}

/**
 * Everything of a call that can change the answer, and nothing else. Left out on purpose: `abortSignal`
 * and `headers` (transport), and `providerOptions.roma` (who asks — a planner and an executor asking the
 * same question share the answer). Included: prompt (system, messages, their parts and per-part provider
 * options), tools with their schemas, tool choice, response format and its schema, sampling settings,
 * `includeRawChunks` (it changes the stream) and every other provider's options.
 */
function canonicalLlmRequest(params: LanguageModelV3CallOptions): Record<string, unknown> {
  const providerOptions = { ...params.providerOptions };
  delete providerOptions[ROMA_PROVIDER_OPTIONS_KEY];
  return {
    prompt: params.prompt,
    tools: params.tools,
    toolChoice: params.toolChoice,
    responseFormat: params.responseFormat,
    temperature: params.temperature,
    topP: params.topP,
    topK: params.topK,
    presencePenalty: params.presencePenalty,
    frequencyPenalty: params.frequencyPenalty,
    maxOutputTokens: params.maxOutputTokens,
    seed: params.seed,
    stopSequences: params.stopSequences,
    includeRawChunks: params.includeRawChunks === true ? true : undefined,
    providerOptions: Object.keys(providerOptions).length > 0 ? providerOptions : undefined,
  };
}

/** Key segments must not contain whitespace; a colon inside a model id (`llama3:8b`) is kept. */
function segment(text: string): string {
  return text.replace(/\s+/g, '_') || '_';
}

export function llmCacheKey(
  provider: string,
  modelId: string,
  params: LanguageModelV3CallOptions,
): LlmCacheKey {
  const request = canonicalLlmRequest(params);
  const hash = canonicalSha256Hex(request);
  return {
    key: `${LLM_NAMESPACE}:${LLM_CACHE_VERSION}:${segment(provider)}:${segment(modelId)}:${hash}`,
    hash,
    get canonical() {
      return canonicalJson(request);
    },
  };
}
