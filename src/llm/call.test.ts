// Model calls through the real AI SDK providers against the scripted model server over HTTP.
import type { LanguageModelV3Middleware } from '@ai-sdk/provider';
import { tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type LlmConfig, LlmConfigSchema } from '../config/sections/llm.js';
import { RomaError } from '../contracts/index.js';
import { scriptedLlmConfig, startScriptedModelServer } from '../dev/scripted-model/index.js';
import { scriptedModelServerForFile } from '../dev/scripted-model/testing/server-for-file.js';
import { callObject, callText, createModelRegistry, type ModelRegistry, streamTextCall } from './index.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const server = scriptedModelServerForFile(() => []);

function registryFor(
  overrides: Partial<LlmConfig> = {},
  middleware?: LanguageModelV3Middleware[],
): ModelRegistry {
  const config = scriptedLlmConfig(server, { maxRetries: 2, ...overrides });
  return createModelRegistry(config, middleware ? { middleware } : {});
}

async function rejection(promise: Promise<unknown>): Promise<RomaError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RomaError);
  return error as RomaError;
}

describe.each(['openai:gpt-4o-mini', 'anthropic:claude-sonnet-4-5', 'anthropic:scripted'])(
  '%s',
  (modelId) => {
    const provider = modelId.split(':')[0];

    it('returns text with usage and cost', async () => {
      server.setRules([
        {
          match: { contains: 'hello' },
          reply: { text: 'Hello back', usage: { inputTokens: 1000, outputTokens: 500 } },
        },
      ]);
      const registry = registryFor();
      const result = await callText({
        model: registry.resolve(modelId),
        modelId,
        system: 'be kind',
        prompt: 'hello',
      });
      expect(result.value).toBe('Hello back');
      expect(result.text).toBe('Hello back');
      expect(result.usage).toMatchObject({ inputTokens: 1000, outputTokens: 500 });
      expect(result.modelId).toBe(modelId);
      expect(result.cacheHit).toBe(false);
      if (modelId === 'anthropic:scripted') {
        expect(result.priced).toBe(false);
        expect(result.usage.costUsd).toBe(0);
      } else {
        expect(result.priced).toBe(true);
        expect(result.usage.costUsd).toBeGreaterThan(0);
      }
      expect(server.requests[0]?.provider).toBe(provider);
    });

    it('returns an object checked by a zod schema', async () => {
      const schema = z.object({ subtasks: z.array(z.object({ id: z.string(), goal: z.string() })).min(1) });
      server.setRules([{ reply: { json: { subtasks: [{ id: 'a', goal: 'find sources' }] } } }]);
      const registry = registryFor();
      const result = await callObject({ model: registry.resolve(modelId), prompt: 'plan it', schema });
      expect(result.value.subtasks[0]?.goal).toBe('find sources');
      expect(JSON.parse(result.text)).toEqual(result.value);
    });

    it('fails with MODEL_OUTPUT_INVALID and the raw text when the object does not fit', async () => {
      const schema = z.object({ count: z.number() });
      server.setRules([{ reply: { json: { count: 'many' } } }]);
      const registry = registryFor();
      const error = await rejection(
        callObject({ model: registry.resolve(modelId), prompt: 'count', schema }),
      );
      expect(error.code).toBe('MODEL_OUTPUT_INVALID');
      expect(error.details?.rawText).toBe('{"count":"many"}');
      // One line naming the field, not the SDK's multi-line dump of the value and the issues.
      expect(error.message).not.toContain('\n');
      expect(error.message).toContain('count: ');
      expect(server.requests).toHaveLength(1);
    });

    it('streams text deltas and a final result', async () => {
      server.setRules([
        { reply: { text: 'alpha beta gamma delta', usage: { inputTokens: 10, outputTokens: 4 } } },
      ]);
      const stream = streamTextCall({ model: registryFor().resolve(modelId), prompt: 'stream please' });
      const deltas: string[] = [];
      for await (const delta of stream) deltas.push(delta);
      expect(deltas.length).toBeGreaterThan(1);
      const result = await stream.result;
      expect(result.text).toBe('alpha beta gamma delta');
      expect(deltas.join('')).toBe(result.text);
      expect(result.usage).toMatchObject({ inputTokens: 10, outputTokens: 4 });
    });

    it('stops the HTTP request when the consumer breaks out of a stream', async () => {
      server.setRules([
        { reply: { text: 'one two three four five six seven eight nine ten', chunkDelayMs: 40 } },
      ]);
      const stream = streamTextCall({ model: registryFor().resolve(modelId), prompt: 'long story' });
      const deltas: string[] = [];
      for await (const delta of stream) {
        deltas.push(delta);
        if (deltas.length === 2) break;
      }
      expect(deltas).toHaveLength(2);
      expect((await rejection(stream.result)).code).toBe('CANCELLED');
      await expect.poll(() => server.requests[0]?.clientAborted, { timeout: 5_000 }).toBe(true);
    });

    it('runs tool calls between steps', async () => {
      server.setRules([
        {
          reply: (request) =>
            request.toolResults.length === 0
              ? { toolCalls: [{ name: 'lookup', args: { key: 'capital' } }] }
              : { text: `answer: ${request.toolResults[0]?.output}` },
        },
      ]);
      const result = await callText({
        model: registryFor().resolve(modelId),
        prompt: 'what is the capital?',
        tools: {
          lookup: tool({
            description: 'look a key up',
            inputSchema: z.object({ key: z.string() }),
            execute: async ({ key }) => (key === 'capital' ? 'Paris' : 'unknown'),
          }),
        },
        maxSteps: 3,
      });
      expect(result.text).toContain('answer:');
      expect(result.text).toContain('Paris');
      expect(result.toolCalls).toMatchObject([{ toolName: 'lookup', input: { key: 'capital' } }]);
      expect(server.requests).toHaveLength(2);
      // Usage sums both steps.
      expect(result.usage.inputTokens).toBeGreaterThan(0);
    });
  },
);

describe('retries', () => {
  const modelId = 'openai:gpt-4o-mini';

  it.each([500, 503, 429])('retries after HTTP %i and then succeeds (2 requests)', async (status) => {
    server.setRules([{ reply: { status }, times: 1 }, { reply: { text: 'recovered' } }]);
    const result = await callText({ model: registryFor().resolve(modelId), prompt: 'x' });
    expect(result.text).toBe('recovered');
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry HTTP 400 (1 request, not retryable)', async () => {
    server.setRules([{ reply: { status: 400 } }]);
    const error = await rejection(callText({ model: registryFor().resolve(modelId), prompt: 'x' }));
    expect(error.code).toBe('MODEL_CALL_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.details?.status).toBe(400);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up after maxRetries on persistent 500s and says it can be retried', async () => {
    server.setRules([{ reply: { status: 500 } }]);
    const error = await rejection(
      callText({ model: registryFor().resolve(modelId), prompt: 'x', maxRetries: 2 }),
    );
    expect(error.code).toBe('MODEL_CALL_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('HTTP 500 after 3 attempts');
    expect(server.requests).toHaveLength(3);
  });

  it('uses llm.maxRetries from the config by default', async () => {
    server.setRules([{ reply: { status: 502 } }]);
    const registry = registryFor({ maxRetries: 0 });
    await rejection(callText({ model: registry.resolve(modelId), prompt: 'x' }));
    expect(server.requests).toHaveLength(1);
  });

  it('fails at once on a refused connection, naming the URL and the fix, with retries configured', async () => {
    const closed = await startScriptedModelServer({ rules: [] });
    const baseUrl = closed.openaiBaseUrl;
    await closed.close();
    const registry = createModelRegistry(
      LlmConfigSchema.parse({ openaiApiKey: 'k', openaiBaseUrl: baseUrl, maxRetries: 3 }),
    );
    const error = await rejection(callText({ model: registry.resolve(modelId), prompt: 'x' }));
    expect(error.code).toBe('MODEL_CALL_FAILED');
    expect(error.retryable).toBe(false);
    // One attempt, not four with 2 + 4 + 8 s of backoff in between.
    expect(error.message).not.toContain('attempts');
    expect(error.message).toContain(`${baseUrl}/chat/completions`);
    expect(error.message).toContain('connection refused');
    expect(error.fix).toContain('OPENAI_BASE_URL');
    expect(error.field).toBe('llm.openaiBaseUrl');
    // Positive control: the same registry shape against a live server answers.
    server.setRules([{ reply: { text: 'alive' } }]);
    expect(
      (await callText({ model: registryFor({ maxRetries: 3 }).resolve(modelId), prompt: 'x' })).text,
    ).toBe('alive');
  });

  it('names the Anthropic base URL variable for a refused Anthropic endpoint', async () => {
    const closed = await startScriptedModelServer({ rules: [] });
    const baseUrl = closed.anthropicBaseUrl;
    await closed.close();
    const registry = createModelRegistry(
      LlmConfigSchema.parse({ anthropicApiKey: 'k', anthropicBaseUrl: baseUrl, maxRetries: 3 }),
    );
    const error = await rejection(
      callText({ model: registry.resolve('anthropic:claude-haiku-4-5'), prompt: 'x' }),
    );
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(baseUrl);
    expect(error.fix).toContain('ANTHROPIC_BASE_URL');
  });
});

describe('abort and timeout', () => {
  const modelId = 'anthropic:claude-haiku-4-5';

  it('cancels an in-flight call through the AbortSignal', async () => {
    server.setRules([{ reply: { text: 'late', latencyMs: 10_000 } }]);
    const controller = new AbortController();
    const call = callText({ model: registryFor().resolve(modelId), prompt: 'x', signal: controller.signal });
    await expect.poll(() => server.requests.length, { timeout: 5_000 }).toBe(1);
    controller.abort();
    const error = await rejection(call);
    expect(error.code).toBe('CANCELLED');
    await expect.poll(() => server.requests[0]?.clientAborted, { timeout: 5_000 }).toBe(true);
  });

  it('fails with TIMEOUT when the call takes longer than timeoutMs', async () => {
    server.setRules([{ reply: { text: 'late', latencyMs: 10_000 } }]);
    const error = await rejection(
      callText({ model: registryFor().resolve(modelId), prompt: 'x', timeoutMs: 200 }),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a stream too', async () => {
    server.setRules([{ reply: { text: 'a b c d e f', chunkDelayMs: 10_000 } }]);
    const stream = streamTextCall({ model: registryFor().resolve(modelId), prompt: 'x', timeoutMs: 300 });
    const error = await rejection(
      (async () => {
        for await (const _delta of stream) {
          // draining until the timeout ends it
        }
      })(),
    );
    expect(error.code).toBe('TIMEOUT');
    expect((await rejection(stream.result)).code).toBe('TIMEOUT');
  });

  it('fails at once for a signal that is already aborted', async () => {
    server.setRules([{ reply: { text: 'never' } }]);
    const model = registryFor().resolve(modelId);
    const aborted = AbortSignal.abort();
    expect((await rejection(callText({ model, prompt: 'x', signal: aborted }))).code).toBe('CANCELLED');
    expect((await rejection(streamTextCall({ model, prompt: 'x', signal: aborted }).result)).code).toBe(
      'CANCELLED',
    );
  });

  it('settles the stream result on cancel even when nobody iterates', async () => {
    server.setRules([{ reply: { text: 'never read', latencyMs: 10_000 } }]);
    const stream = streamTextCall({ model: registryFor().resolve(modelId), prompt: 'x' });
    stream.cancel();
    expect((await rejection(stream.result)).code).toBe('CANCELLED');
  });
});

describe('cost and cache hits', () => {
  it('prices usage from llm.prices overrides, cached input tokens at the cached rate', async () => {
    server.setRules([
      {
        reply: {
          text: 'ok',
          usage: { inputTokens: 2_000_000, outputTokens: 1_000_000, cachedInputTokens: 1_000_000 },
        },
      },
    ]);
    const registry = registryFor({
      prices: {
        'openai:house-model': {
          inputPerMillionUsd: 2,
          outputPerMillionUsd: 10,
          cachedInputPerMillionUsd: 0.5,
        },
      },
    });
    const result = await callText({ model: registry.resolve('openai:house-model'), prompt: 'x' });
    // 1M uncached × $2 + 1M cached × $0.5 + 1M output × $10
    expect(result.usage).toEqual({
      inputTokens: 2_000_000,
      outputTokens: 1_000_000,
      cachedInputTokens: 1_000_000,
      costUsd: 12.5,
    });
    expect(result.priced).toBe(true);
  });

  it('reads cacheHit from providerMetadata.roma set by a middleware, and charges nothing for it', async () => {
    const markHit: LanguageModelV3Middleware = {
      specificationVersion: 'v3',
      wrapGenerate: async ({ doGenerate }) => {
        const generated = await doGenerate();
        return {
          ...generated,
          providerMetadata: { ...generated.providerMetadata, roma: { cacheHit: true } },
        };
      },
    };
    server.setRules([{ reply: { text: 'cached', usage: { inputTokens: 100, outputTokens: 10 } } }]);
    const registry = registryFor({}, [markHit]);
    const result = await callText({ model: registry.resolve('anthropic:claude-sonnet-4-5'), prompt: 'x' });
    expect(result.cacheHit).toBe(true);
    expect(result.usage.costUsd).toBe(0);
    expect(result.usage.inputTokens).toBe(100);
  });

  it('reads cacheHit from the finish part of a stream', async () => {
    const markHit: LanguageModelV3Middleware = {
      specificationVersion: 'v3',
      wrapStream: async ({ doStream }) => {
        const { stream, ...rest } = await doStream();
        const marked = stream.pipeThrough(
          new TransformStream({
            transform(part, controller) {
              controller.enqueue(
                part.type === 'finish' ? { ...part, providerMetadata: { roma: { cacheHit: true } } } : part,
              );
            },
          }),
        );
        return { stream: marked, ...rest };
      },
    };
    server.setRules([{ reply: { text: 'streamed from cache' } }]);
    const stream = streamTextCall({
      model: registryFor({}, [markHit]).resolve('openai:gpt-4o'),
      prompt: 'x',
    });
    let text = '';
    for await (const delta of stream) text += delta;
    const result = await stream.result;
    expect(text).toBe('streamed from cache');
    expect(result.cacheHit).toBe(true);
    expect(result.usage.costUsd).toBe(0);
  });
});
