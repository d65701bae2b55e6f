// Key design of the LLM-response cache: `llm:v2:<provider>:<model>:<sha256 of the framed canonical request>`.
import type { LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { ROMA_PROVIDER_OPTIONS_KEY } from './cache-context.js';
import { canonicalSha256Hex } from './canonical-hash.js';
import { canonicalJson } from './canonical-json.js';

/**
 * Bump to invalidate every stored answer after a change of the canonical form, of its framing or of the entry
 * format. v2: the hash is over the framing of `canonical-hash.ts`, no longer over the canonical JSON text.
 */
export const LLM_CACHE_VERSION = 'v2';
export const LLM_NAMESPACE = 'llm';

// A class, not an object literal with a getter: such a literal is built on V8's slow path, on every call.
class LlmCacheKey {
  constructor(
    /** Store key without the store's own prefix (`roma:` by default is added by the store). */
    readonly key: string,
    readonly hash: string,
    private readonly request: Record<string, unknown>,
  ) {}

  /** The canonical request as JSON, for reading (built only when read; the hash is over its framing). */
  get canonical(): string {
    return canonicalJson(this.request);
  }
}

/**
 * Everything of a call that can change the answer, and nothing else. Left out on purpose: `abortSignal`
 * and `headers` (transport), and `providerOptions.roma` (who asks — a planner and an executor asking the
 * same question share the answer). Included: prompt (system, messages, their parts and per-part provider
 * options), tools with their schemas, tool choice, response format and its schema, sampling settings,
 * `includeRawChunks` (it changes the stream) and every other provider's options. Members are written in sorted
 * order, which the hash's key sort then only confirms.
 */
function canonicalLlmRequest(params: LanguageModelV3CallOptions): Record<string, unknown> {
  let providerOptions: Record<string, unknown> | undefined;
  for (const name in params.providerOptions) {
    if (name === ROMA_PROVIDER_OPTIONS_KEY || !Object.hasOwn(params.providerOptions, name)) continue;
    providerOptions ??= {};
    providerOptions[name] = params.providerOptions[name];
  }
  return {
    frequencyPenalty: params.frequencyPenalty,
    includeRawChunks: params.includeRawChunks === true ? true : undefined,
    maxOutputTokens: params.maxOutputTokens,
    presencePenalty: params.presencePenalty,
    prompt: params.prompt,
    providerOptions,
    responseFormat: params.responseFormat,
    seed: params.seed,
    stopSequences: params.stopSequences,
    temperature: params.temperature,
    toolChoice: params.toolChoice,
    tools: params.tools,
    topK: params.topK,
    topP: params.topP,
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
  const key = `${LLM_NAMESPACE}:${LLM_CACHE_VERSION}:${segment(provider)}:${segment(modelId)}:${hash}`;
  return new LlmCacheKey(key, hash, request);
}
