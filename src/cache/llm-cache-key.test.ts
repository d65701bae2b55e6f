// Key design: equal requests hash equally whatever their key order; anything that changes output changes the key.
import type { LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { llmCacheKey } from './llm-cache-key.js';

const base: LanguageModelV3CallOptions = {
  prompt: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: [{ type: 'text', text: 'hello' }] },
  ],
  temperature: 0,
};
const key = (params: LanguageModelV3CallOptions, provider = 'openai.chat', model = 'gpt-4o-mini') =>
  llmCacheKey(provider, model, params).key;

describe('canonicalJson', () => {
  it('sorts object keys at every depth, drops undefined, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: undefined, b: null } })).toBe(
      '{"a":{"b":null,"d":[3,1]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('hashes bytes instead of inlining them, and distinguishes different bytes', () => {
    const one = canonicalJson({ data: new Uint8Array([1, 2, 3]) });
    expect(one).toMatch(/"\$bytesSha256":"[0-9a-f]{64}"/);
    expect(canonicalJson({ data: new Uint8Array([1, 2, 4]) })).not.toBe(one);
  });
});

describe('llmCacheKey', () => {
  it('has the documented shape: llm:v2:<provider>:<model>:<sha256>', () => {
    expect(key(base)).toMatch(/^llm:v2:openai\.chat:gpt-4o-mini:[0-9a-f]{64}$/);
  });

  it('ignores key order, headers, abort signals and the roma provider options', () => {
    const reordered = { temperature: 0, prompt: base.prompt } as LanguageModelV3CallOptions;
    expect(key(reordered)).toBe(key(base));
    const reorderedInside = {
      temperature: 0,
      prompt: [
        { content: 'be brief', role: 'system' },
        { content: [{ text: 'hello', type: 'text' }], role: 'user' },
      ],
    } as LanguageModelV3CallOptions;
    expect(key(reorderedInside)).toBe(key(base));
    expect(
      key({
        ...base,
        headers: { 'x-request-id': 'abc' },
        abortSignal: new AbortController().signal,
        providerOptions: { roma: { module: 'planner', executionId: 'run-1' } },
      }),
    ).toBe(key(base));
  });

  it('changes with prompt, system, sampling, tools, schema, provider options, provider and model', () => {
    const variants: LanguageModelV3CallOptions[] = [
      { ...base, prompt: [{ role: 'user', content: [{ type: 'text', text: 'hello!' }] }] },
      { ...base, prompt: [{ role: 'system', content: 'be long' }, ...base.prompt.slice(1)] },
      { ...base, temperature: 0.5 },
      { ...base, topP: 0.9 },
      { ...base, topK: 5 },
      { ...base, maxOutputTokens: 100 },
      { ...base, seed: 1 },
      { ...base, stopSequences: ['x'] },
      { ...base, presencePenalty: 0.1 },
      { ...base, frequencyPenalty: 0.1 },
      { ...base, responseFormat: { type: 'json' } },
      { ...base, responseFormat: { type: 'json', schema: { type: 'object' } } },
      { ...base, tools: [{ type: 'function', name: 'search', inputSchema: { type: 'object' } }] },
      { ...base, tools: [{ type: 'function', name: 'search', inputSchema: { type: 'string' } }] },
      { ...base, toolChoice: { type: 'required' } },
      { ...base, providerOptions: { openai: { reasoningEffort: 'high' } } },
      { ...base, includeRawChunks: true },
    ];
    const keys = new Set([key(base), ...variants.map((variant) => key(variant))]);
    expect(keys.size).toBe(variants.length + 1);
    expect(key(base, 'anthropic.messages')).not.toBe(key(base));
    expect(key(base, 'openai.chat', 'gpt-4o')).not.toBe(key(base));
  });
});
