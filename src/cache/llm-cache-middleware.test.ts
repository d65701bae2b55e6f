// The LLM-response cache in front of real AI SDK providers talking HTTP to the scripted model server.
import { randomUUID } from 'node:crypto';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { generateText, Output, streamText, tool } from 'ai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { scriptedModelServerForFile } from '../dev/scripted-model/testing/server-for-file.js';
import { callText } from '../llm/index.js';
import type { CacheLogger } from './cache-logger.js';
import type { CacheStore } from './cache-store.js';
import { LLM_ENTRY_READER } from './llm-cache-entry.js';
import { createLlmCache, type LlmCache, type LlmCacheOptions } from './llm-cache-middleware.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import { RedisCacheStore } from './redis-cache-store.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const server = scriptedModelServerForFile(() => [
  { reply: { text: 'The answer is 42.', usage: { inputTokens: 1000, outputTokens: 200 } } },
]);
const warnings: string[] = [];
const logger: CacheLogger = { warn: (message) => warnings.push(message), info: () => {} };

beforeEach(() => {
  warnings.length = 0;
});

function openai(name = 'gpt-4o-mini'): LanguageModelV3 {
  return createOpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseUrl }).chat(name);
}
function anthropic(name = 'claude-sonnet-4-5'): LanguageModelV3 {
  return createAnthropic({ apiKey: 'test-key', baseURL: server.anthropicBaseUrl })(name);
}

function romaMetadata(metadata: unknown): Record<string, unknown> | undefined {
  return (metadata as { roma?: Record<string, unknown> } | undefined)?.roma;
}

async function streamToText(model: LanguageModelV3, prompt: string) {
  const result = streamText({ model, prompt, temperature: 0, maxRetries: 0 });
  let text = '';
  for await (const delta of result.textStream) text += delta;
  return { text, providerMetadata: await result.providerMetadata, usage: await result.usage };
}

describe('LLM cache middleware (memory store)', () => {
  let store: MemoryCacheStore;
  let cache: LlmCache;
  const make = (options: Partial<LlmCacheOptions> = {}) => createLlmCache({ store, logger, ...options });

  beforeEach(() => {
    store = new MemoryCacheStore();
    cache = make();
  });

  it('answers a repeated deterministic call from the cache: one upstream request, zero usage, saved usage kept', async () => {
    const model = cache.wrap(openai());
    const first = await generateText({
      model,
      prompt: 'What is six times seven?',
      temperature: 0,
      maxRetries: 0,
    });
    const second = await generateText({
      model,
      prompt: 'What is six times seven?',
      temperature: 0,
      maxRetries: 0,
    });
    expect(server.requests).toHaveLength(1);
    expect(second.text).toBe(first.text);
    expect(second.text).toBe('The answer is 42.');
    expect(romaMetadata(first.providerMetadata)?.cacheHit).toBeUndefined();
    const hit = romaMetadata(second.providerMetadata);
    expect(hit?.cacheHit).toBe(true);
    expect(hit?.savedUsage).toMatchObject({ inputTokens: 1000, outputTokens: 200 });
    expect(hit?.savedCostUsd).toBeCloseTo((1000 * 0.15 + 200 * 0.6) / 1_000_000, 12);
    expect(second.usage.inputTokens).toBe(0);
    expect(second.usage.outputTokens).toBe(0);
    expect(second.finishReason).toBe(first.finishReason);
  });

  it('replays a stored stream part by part, marking the finish part as a hit', async () => {
    server.setRules([{ reply: { text: 'one two three four', usage: { inputTokens: 50, outputTokens: 4 } } }]);
    const model = cache.wrap(openai());
    const first = await streamToText(model, 'count');
    const second = await streamToText(model, 'count');
    expect(server.requests).toHaveLength(1);
    expect(second.text).toBe('one two three four');
    expect(second.text).toBe(first.text);
    expect(romaMetadata(second.providerMetadata)?.cacheHit).toBe(true);
    expect(romaMetadata(second.providerMetadata)?.savedUsage).toMatchObject({
      inputTokens: 50,
      outputTokens: 4,
    });
    expect(second.usage.totalTokens ?? 0).toBe(0);
  });

  it('serves a streamed call from a generated answer and the other way round', async () => {
    const model = cache.wrap(anthropic());
    const generated = await generateText({
      model,
      prompt: 'first question',
      temperature: 0,
      maxRetries: 0,
      providerOptions: { roma: { module: 'executor', taskType: 'WRITE', executionId: 'run-1' } },
    });
    const streamed = await streamToText(model, 'first question');
    expect(streamed.text).toBe(generated.text);
    const streamedFirst = await streamToText(model, 'second question');
    const generatedAfter = await generateText({
      model,
      prompt: 'second question',
      temperature: 0,
      maxRetries: 0,
    });
    expect(generatedAfter.text).toBe(streamedFirst.text);
    expect(romaMetadata(generatedAfter.providerMetadata)?.cacheHit).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('replays tool calls and structured output exactly', async () => {
    server.setRules([
      {
        match: { contains: 'weather' },
        reply: { toolCalls: [{ name: 'weather', args: { city: 'Paris' } }] },
      },
      { match: { contains: 'person' }, reply: { json: { name: 'Ada', born: 1815 } } },
    ]);
    const model = cache.wrap(openai());
    const tools = { weather: tool({ inputSchema: z.object({ city: z.string() }) }) };
    const firstTools = await generateText({
      model,
      prompt: 'weather?',
      tools,
      temperature: 0,
      maxRetries: 0,
    });
    const againTools = await generateText({
      model,
      prompt: 'weather?',
      tools,
      temperature: 0,
      maxRetries: 0,
    });
    expect(againTools.toolCalls.map((call) => [call.toolName, call.input])).toEqual([
      ['weather', { city: 'Paris' }],
    ]);
    expect(againTools.toolCalls).toEqual(firstTools.toolCalls);
    const output = Output.object({ schema: z.object({ name: z.string(), born: z.number() }) });
    const firstObject = await generateText({
      model,
      prompt: 'a person',
      output,
      temperature: 0,
      maxRetries: 0,
    });
    const againObject = await generateText({
      model,
      prompt: 'a person',
      output,
      temperature: 0,
      maxRetries: 0,
    });
    expect(againObject.output).toEqual({ name: 'Ada', born: 1815 });
    expect(againObject.output).toEqual(firstObject.output);
    expect(server.requests).toHaveLength(2);
  });

  it('keeps answers apart when anything that changes the output differs', async () => {
    const model = cache.wrap(openai());
    const base = { model, prompt: 'question', temperature: 0, maxRetries: 0 } as const;
    await generateText(base);
    await generateText({ ...base, prompt: 'another question' });
    await generateText({ ...base, system: 'be terse' });
    await generateText({ ...base, maxOutputTokens: 10 });
    await generateText({ ...base, seed: 7 });
    await generateText({ ...base, topP: 0.5 });
    await generateText({ ...base, stopSequences: ['END'] });
    await generateText({ ...base, tools: { lookup: tool({ inputSchema: z.object({ q: z.string() }) }) } });
    await generateText({
      ...base,
      tools: { lookup: tool({ inputSchema: z.object({ query: z.string() }) }) },
    });
    await generateText({ ...base, providerOptions: { openai: { reasoningEffort: 'low' } } });
    await generateText({
      model: cache.wrap(openai('gpt-4o')),
      prompt: 'question',
      temperature: 0,
      maxRetries: 0,
    });
    expect(server.requests).toHaveLength(11);
  });

  it('shares answers across callers, headers and abort signals (they do not change the output)', async () => {
    const model = cache.wrap(openai());
    await generateText({
      model,
      prompt: 'q',
      temperature: 0,
      maxRetries: 0,
      providerOptions: { roma: { module: 'planner' } },
    });
    const hit = await generateText({
      model,
      prompt: 'q',
      temperature: 0,
      maxRetries: 0,
      headers: { 'x-request-id': randomUUID() },
      abortSignal: new AbortController().signal,
      providerOptions: { roma: { module: 'executor', taskType: 'THINK' } },
    });
    expect(romaMetadata(hit.providerMetadata)?.cacheHit).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('SMART caches only deterministic calls; ALWAYS and NEVER follow the call, module and task type', async () => {
    const model = cache.wrap(openai());
    await generateText({ model, prompt: 'creative', maxRetries: 0 });
    await generateText({ model, prompt: 'creative', maxRetries: 0 });
    expect(server.requests).toHaveLength(2);
    await generateText({ model, prompt: 'seeded', seed: 3, maxRetries: 0 });
    await generateText({ model, prompt: 'seeded', seed: 3, maxRetries: 0 });
    expect(server.requests).toHaveLength(3);
    const always = { roma: { cacheStrategy: 'ALWAYS' } };
    await generateText({ model, prompt: 'hot', temperature: 1, maxRetries: 0, providerOptions: always });
    await generateText({ model, prompt: 'hot', temperature: 1, maxRetries: 0, providerOptions: always });
    expect(server.requests).toHaveLength(4);
    const never = { roma: { cacheStrategy: 'NEVER' } };
    await generateText({ model, prompt: 'cold', temperature: 0, maxRetries: 0, providerOptions: never });
    await generateText({ model, prompt: 'cold', temperature: 0, maxRetries: 0, providerOptions: never });
    expect(server.requests).toHaveLength(6);

    const ruled = make({
      policy: { modules: { verifier: { strategy: 'NEVER' } }, taskTypes: { WRITE: { strategy: 'ALWAYS' } } },
    });
    const ruledModel = ruled.wrap(openai());
    const verifier = { roma: { module: 'verifier' } };
    await generateText({
      model: ruledModel,
      prompt: 'check',
      temperature: 0,
      maxRetries: 0,
      providerOptions: verifier,
    });
    await generateText({
      model: ruledModel,
      prompt: 'check',
      temperature: 0,
      maxRetries: 0,
      providerOptions: verifier,
    });
    expect(server.requests).toHaveLength(8);
    const writer = { roma: { module: 'verifier', taskType: 'WRITE' } };
    await generateText({
      model: ruledModel,
      prompt: 'poem',
      temperature: 1,
      maxRetries: 0,
      providerOptions: writer,
    });
    await generateText({
      model: ruledModel,
      prompt: 'poem',
      temperature: 1,
      maxRetries: 0,
      providerOptions: writer,
    });
    expect(server.requests).toHaveLength(9);
    expect(
      (await store.readCounters('llm:'))['llm:openai.chat:gpt-4o-mini']?.bypassed,
    ).toBeGreaterThanOrEqual(4);
  });

  it('decodes a stored answer once; a caller changing what a hit returned changes no later hit', async () => {
    const decode = vi.spyOn(LLM_ENTRY_READER, 'decode');
    try {
      const model = cache.wrap(openai());
      const call = {
        prompt: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'change me' }] }],
        temperature: 0,
      };
      await model.doGenerate(call);
      const hit = await model.doGenerate(call);
      expect(romaMetadata(hit.providerMetadata)?.cacheHit).toBe(true);
      const pristine = structuredClone(hit);
      // The caller scribbles over every object of its result.
      const text = hit.content[0] as { type: 'text'; text: string };
      text.text = 'changed';
      hit.content.push({ type: 'text', text: 'extra' });
      (hit.finishReason as { unified: string }).unified = 'error';
      hit.response?.timestamp?.setTime(0);
      const streamed = await model.doStream(call);
      const parts: Array<Record<string, unknown>> = [];
      for await (const part of streamed.stream) parts.push(part as Record<string, unknown>);
      for (const part of parts) part.type = 'changed';
      const again = await model.doGenerate(call);
      expect(again.content).toEqual(pristine.content);
      expect(again.finishReason).toEqual(pristine.finishReason);
      expect(again.response?.timestamp).toEqual(pristine.response?.timestamp);
      const streamedAgain = await model.doStream(call);
      const types: string[] = [];
      for await (const part of streamedAgain.stream) types.push(part.type);
      expect(types).toContain('text-delta');
      expect(types.at(-1)).toBe('finish');
      expect(server.requests).toHaveLength(1);
      // Decoded and checked when stored; the four hits after that reuse it.
      expect(decode).toHaveBeenCalledTimes(1);
    } finally {
      decode.mockRestore();
    }
  });

  it('treats a corrupt entry as a miss: deleted, counted, never returned', async () => {
    const keys: string[] = [];
    const recording = make({ onEntry: (record) => keys.push(record.key) });
    const model = recording.wrap(openai());
    await generateText({ model, prompt: 'fragile', temperature: 0, maxRetries: 0 });
    const [key] = keys;
    expect(key).toMatch(/^llm:v2:openai\.chat:gpt-4o-mini:[0-9a-f]{64}$/);
    store.set(key as string, '{"format":"roma-llm-cache/1","kind":"generate","trunc');
    server.setRules([{ reply: { text: 'fresh answer' } }]);
    const again = await generateText({ model, prompt: 'fragile', temperature: 0, maxRetries: 0 });
    expect(again.text).toBe('fresh answer');
    expect(server.requests).toHaveLength(2);
    store.set(key as string, JSON.stringify({ format: 'roma-llm-cache/1', kind: 'generate', foreign: true }));
    const third = await generateText({ model, prompt: 'fragile', temperature: 0, maxRetries: 0 });
    expect(third.text).toBe('fresh answer');
    expect(server.requests).toHaveLength(3);
    await recording.flush();
    expect((await store.readCounters('llm:'))['llm:openai.chat:gpt-4o-mini']?.corrupt).toBe(2);
    expect(warnings.filter((warning) => warning.includes('unreadable'))).toHaveLength(1);
  });

  it('does not store an answer over the size limit, and counts it', async () => {
    server.setRules([{ reply: { text: 'x'.repeat(5_000) } }]);
    const small = make({ maxEntryBytes: 1_000 });
    const model = small.wrap(openai());
    const first = await generateText({ model, prompt: 'big', temperature: 0, maxRetries: 0 });
    await generateText({ model, prompt: 'big', temperature: 0, maxRetries: 0 });
    expect(first.text).toHaveLength(5_000);
    expect(server.requests).toHaveLength(2);
    expect((await store.readCounters('llm:'))['llm:openai.chat:gpt-4o-mini']?.oversize).toBe(2);
  });

  it('never stores a failed call or a stream the consumer abandoned', async () => {
    server.setRules([{ reply: { status: 400, errorBody: { error: { message: 'bad request' } } } }]);
    const model = cache.wrap(openai());
    await expect(generateText({ model, prompt: 'fails', temperature: 0, maxRetries: 0 })).rejects.toThrow();
    server.setRules([{ reply: { text: 'a long streamed answer with many words in it', chunkDelayMs: 20 } }]);
    const controller = new AbortController();
    const abandoned = streamText({
      model,
      prompt: 'fails',
      temperature: 0,
      maxRetries: 0,
      abortSignal: controller.signal,
      onError: () => {},
    });
    try {
      for await (const _delta of abandoned.textStream) controller.abort();
    } catch {
      // The abort may surface as an error of the stream; either way the answer is incomplete.
    }
    const complete = await streamToText(model, 'fails');
    expect(complete.text).toBe('a long streamed answer with many words in it');
    expect(romaMetadata(complete.providerMetadata)?.cacheHit).toBeUndefined();
    expect(server.requests).toHaveLength(3);
    const replay = await streamToText(model, 'fails');
    expect(romaMetadata(replay.providerMetadata)?.cacheHit).toBe(true);
  });

  it('makes one upstream call for concurrent identical requests in one process', async () => {
    server.setRules([{ reply: { text: 'shared', latencyMs: 100 } }]);
    const model = cache.wrap(openai());
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        index % 2 === 0
          ? generateText({ model, prompt: 'popular', temperature: 0, maxRetries: 0 }).then(
              (result) => result.text,
            )
          : streamToText(model, 'popular').then((result) => result.text),
      ),
    );
    expect(new Set(results)).toEqual(new Set(['shared']));
    expect(server.requests).toHaveLength(1);
    await cache.flush();
    const counters = (await store.readCounters('llm:'))['llm:openai.chat:gpt-4o-mini'];
    expect(counters).toMatchObject({ hits: 19, misses: 1, singleFlightJoins: 19 });
  });

  it('lets waiters call upstream themselves when the leader fails', async () => {
    server.setRules([
      {
        reply: { status: 400, errorBody: { error: { message: 'leader breaks' } }, latencyMs: 150 },
        times: 1,
      },
      { reply: { text: 'recovered' } },
    ]);
    const model = cache.wrap(openai());
    const settled = await Promise.allSettled(
      Array.from({ length: 3 }, () =>
        generateText({ model, prompt: 'shaky', temperature: 0, maxRetries: 0 }),
      ),
    );
    expect(settled.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    expect(server.requests).toHaveLength(3);
  });

  it("tells the model layer's callText that the answer was a hit, at zero cost", async () => {
    const model = cache.wrap(openai());
    const first = await callText({ model, modelId: 'openai:gpt-4o-mini', prompt: 'via llm', temperature: 0 });
    const second = await callText({
      model,
      modelId: 'openai:gpt-4o-mini',
      prompt: 'via llm',
      temperature: 0,
    });
    expect(first.cacheHit).toBe(false);
    expect(first.usage.costUsd).toBeGreaterThan(0);
    expect(second.cacheHit).toBe(true);
    expect(second.usage.costUsd).toBe(0);
    expect(second.value).toBe(first.value);
    expect(server.requests).toHaveLength(1);
    // The hit reports what it saved: the first call's tokens and their price.
    expect(first.savedUsage).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 });
    expect(second.savedUsage.inputTokens).toBe(first.usage.inputTokens);
    expect(second.savedUsage.outputTokens).toBe(first.usage.outputTokens);
    expect(second.savedUsage.costUsd).toBeCloseTo(first.usage.costUsd, 10);
  });

  it('records hits, misses, tokens and cost saved per model in the store', async () => {
    const model = cache.wrap(openai());
    for (let round = 0; round < 3; round += 1) {
      await generateText({ model, prompt: 'stats', temperature: 0, maxRetries: 0 });
    }
    await cache.flush();
    const counters = (await store.readCounters(''))['llm:openai.chat:gpt-4o-mini'];
    expect(counters).toMatchObject({
      hits: 2,
      misses: 1,
      stores: 1,
      inputTokensSaved: 2000,
      outputTokensSaved: 400,
    });
    expect(counters?.costSavedUsd).toBeCloseTo((2 * (1000 * 0.15 + 200 * 0.6)) / 1_000_000, 12);
  });
});

describe('LLM cache middleware (Redis store)', () => {
  let store: RedisCacheStore;
  let cache: LlmCache;

  beforeEach(async () => {
    store = new RedisCacheStore({ url: REDIS_URL, keyPrefix: `roma-test:${randomUUID()}:`, logger });
    await store.connect();
    cache = createLlmCache({ store, logger });
  });
  afterEach(async () => {
    await cache.flush();
    await store.clear('');
    await store.close();
  });

  it('answers a repeated call from Redis, across cache instances (another process would see it too)', async () => {
    const model = cache.wrap(openai());
    const first = await generateText({ model, prompt: 'redis question', temperature: 0, maxRetries: 0 });
    const other = createLlmCache({ store: store as CacheStore, logger });
    const second = await generateText({
      model: other.wrap(openai()),
      prompt: 'redis question',
      temperature: 0,
      maxRetries: 0,
    });
    const streamed = await streamToText(other.wrap(openai()), 'redis question');
    expect(second.text).toBe(first.text);
    expect(streamed.text).toBe(first.text);
    expect(romaMetadata(second.providerMetadata)?.cacheHit).toBe(true);
    expect(server.requests).toHaveLength(1);
    await other.flush();
    const counters = (await store.readCounters('llm:'))['llm:openai.chat:gpt-4o-mini'];
    expect(counters).toMatchObject({ hits: 2, misses: 1 });
  });

  it('takes over when the lock holder died (its lock lapsed), and stops waiting after maxWaitMs', async () => {
    const keys: string[] = [];
    const recording = createLlmCache({ store, logger, onEntry: (record) => keys.push(record.key) });
    const model = recording.wrap(openai());
    const ask = () => generateText({ model, prompt: 'orphaned lock', temperature: 0, maxRetries: 0 });
    await ask();
    const key = keys[0] as string;
    await store.delete(key);
    // A holder that died mid-call: its lock stays until its TTL lapses, and no answer ever comes.
    expect(await store.acquireLock(key, 'dead-holder', 300)).toBe(true);
    expect((await ask()).text).toBe('The answer is 42.');
    expect(server.requests).toHaveLength(2);

    await store.delete(key);
    expect(await store.acquireLock(key, 'stuck-holder', 60_000)).toBe(true);
    const impatient = createLlmCache({ store, logger, singleFlight: { maxWaitMs: 200 } });
    const answer = await generateText({
      model: impatient.wrap(openai()),
      prompt: 'orphaned lock',
      temperature: 0,
      maxRetries: 0,
    });
    expect(answer.text).toBe('The answer is 42.');
    expect(server.requests).toHaveLength(3);
  });

  it('makes one upstream call for concurrent requests from separate cache instances (lock in Redis)', async () => {
    server.setRules([{ reply: { text: 'locked once', latencyMs: 150 } }]);
    const instances = Array.from({ length: 5 }, () => createLlmCache({ store, logger }));
    const texts = await Promise.all(
      instances.map((instance) =>
        generateText({
          model: instance.wrap(openai()),
          prompt: 'contended',
          temperature: 0,
          maxRetries: 0,
        }).then((result) => result.text),
      ),
    );
    expect(texts).toEqual(Array(5).fill('locked once'));
    expect(server.requests).toHaveLength(1);
  });
});
