// The scripted model server, exercised through the real AI SDK OpenAI and Anthropic clients over HTTP.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { generateText, Output, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadScriptFile, parseScript } from './index.js';
import { scriptedModelServerForFile } from './testing/server-for-file.js';

const server = scriptedModelServerForFile(() => []);
// The SDK warns that scripted model names are unknown; that noise hides real failures.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

type ModelFactory = (modelName?: string) => LanguageModelV3;
const providers: Array<{ provider: 'openai' | 'anthropic'; model: ModelFactory }> = [
  {
    provider: 'openai',
    model: (modelName = 'scripted-gpt') =>
      createOpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseUrl }).chat(modelName),
  },
  {
    provider: 'anthropic',
    model: (modelName = 'scripted-claude') =>
      createAnthropic({ apiKey: 'test-key', baseURL: server.anthropicBaseUrl })(modelName),
  },
];

describe.each(providers)('$provider wire format', ({ provider, model }) => {
  it('answers a plain call with text and usage, and records the request', async () => {
    server.setRules([{ name: 'greet', match: { contains: 'hello' }, reply: { text: 'Hi there, friend.' } }]);
    const result = await generateText({
      model: model(),
      system: 'be brief',
      prompt: 'say hello',
      maxRetries: 0,
    });
    expect(result.text).toBe('Hi there, friend.');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ provider, stream: false, matchedRule: 'greet' });
    expect(request?.model).toMatch(/^scripted-/);
    expect(request?.text).toContain('be brief');
    expect(request?.text).toContain('say hello');
  });

  it('reports scripted usage figures exactly', async () => {
    server.setRules([{ reply: { text: 'ok', usage: { inputTokens: 120, outputTokens: 7 } } }]);
    const result = await generateText({ model: model(), prompt: 'anything', maxRetries: 0 });
    expect(result.usage.inputTokens).toBe(120);
    expect(result.usage.outputTokens).toBe(7);
  });

  it('streams text in several deltas with usage at the end', async () => {
    server.setRules([
      { reply: { text: 'one two three four five', usage: { inputTokens: 11, outputTokens: 5 } } },
    ]);
    const result = streamText({ model: model(), prompt: 'count', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join('')).toBe('one two three four five');
    expect(deltas.length).toBeGreaterThan(1);
    const usage = await result.usage;
    expect(usage.inputTokens).toBe(11);
    expect(usage.outputTokens).toBe(5);
    expect(server.requests[0]?.stream).toBe(true);
  });

  it('returns structured output for a zod schema, streamed or not', async () => {
    const schema = z.object({ city: z.string(), population: z.number() });
    server.setRules([
      { match: { contains: 'capital' }, reply: { json: { city: 'Paris', population: 2_100_000 } } },
    ]);
    const generated = await generateText({
      model: model(),
      prompt: 'capital of France?',
      output: Output.object({ schema }),
      maxRetries: 0,
    });
    expect(generated.output).toEqual({ city: 'Paris', population: 2_100_000 });

    const streamed = streamText({
      model: model(),
      prompt: 'capital of France?',
      output: Output.object({ schema }),
    });
    expect(await streamed.output).toEqual({ city: 'Paris', population: 2_100_000 });
  });

  it('drives a multi-turn tool conversation with a reply function', async () => {
    server.setRules([
      {
        name: 'weather-agent',
        reply: (request) =>
          request.toolResults.length === 0
            ? { toolCalls: [{ name: 'getWeather', args: { city: 'Oslo' } }] }
            : { text: `The tool said: ${request.toolResults[0]?.output}` },
      },
    ]);
    const seenArgs: unknown[] = [];
    const tools = {
      getWeather: tool({
        description: 'weather for a city',
        inputSchema: z.object({ city: z.string() }),
        execute: async (input) => {
          seenArgs.push(input);
          return { forecast: 'snow' };
        },
      }),
    };
    const result = await generateText({
      model: model(),
      prompt: 'weather in Oslo?',
      tools,
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(seenArgs).toEqual([{ city: 'Oslo' }]);
    expect(result.text).toContain('snow');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.toolNames).toEqual(['getWeather']);
    expect(server.requests[1]?.toolResults[0]?.toolName).toBe('getWeather');
  });

  it('streams tool calls', async () => {
    server.setRules([
      {
        reply: (request) =>
          request.toolResults.length === 0
            ? { toolCalls: [{ name: 'add', args: { a: 2, b: 3 } }] }
            : { text: `sum is ${request.toolResults[0]?.output}` },
      },
    ]);
    const result = streamText({
      model: model(),
      prompt: 'add 2 and 3',
      tools: {
        add: tool({
          inputSchema: z.object({ a: z.number(), b: z.number() }),
          execute: async ({ a, b }) => a + b,
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(await result.text).toBe('sum is 5');
    expect(server.requests.map((request) => request.stream)).toEqual([true, true]);
  });

  it('answers with a scripted error status', async () => {
    server.setRules([{ reply: { status: 400, errorBody: undefined } }]);
    await expect(generateText({ model: model(), prompt: 'x', maxRetries: 2 })).rejects.toMatchObject({
      statusCode: 400,
    });
    // 400 is not retryable: one request only.
    expect(server.requests).toHaveLength(1);
  });
});

describe('anthropic structured output', () => {
  const schema = z.object({ answer: z.string() });
  const anthropic = (modelName: string) =>
    createAnthropic({ apiKey: 'k', baseURL: server.anthropicBaseUrl })(modelName);

  it('answers the forced `json` tool that unknown models get', async () => {
    server.setRules([{ reply: { json: { answer: 'tool' } } }]);
    const result = await generateText({
      model: anthropic('scripted-claude'),
      prompt: 'q',
      output: Output.object({ schema }),
    });
    expect(result.output).toEqual({ answer: 'tool' });
    expect(server.requests[0]?.toolNames).toEqual(['json']);
  });

  it('answers the native output format that known models get', async () => {
    server.setRules([{ reply: { json: { answer: 'native' } } }]);
    const result = await generateText({
      model: anthropic('claude-sonnet-4-5'),
      prompt: 'q',
      output: Output.object({ schema }),
    });
    expect(result.output).toEqual({ answer: 'native' });
    expect(server.requests[0]?.body.output_config).toMatchObject({ format: { type: 'json_schema' } });
    expect(server.requests[0]?.toolNames).toEqual([]);
  });
});

describe('rules', () => {
  const openai = () => createOpenAI({ apiKey: 'k', baseURL: server.openaiBaseUrl }).chat('m-1');

  it('names the problem when no rule matches (HTTP 500)', async () => {
    server.setRules([{ match: { contains: 'never-sent' }, reply: { text: 'x' } }]);
    const error = await generateText({ model: openai(), prompt: 'unmatched prompt', maxRetries: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect(String((error as Error).message)).toContain('no rule matched');
    expect(server.requests[0]?.matchedRule).toBeUndefined();
  });

  it('takes the first matching rule, honours times, regex, provider and model', async () => {
    server.setRules([
      { name: 'anthropic-only', match: { provider: 'anthropic' }, reply: { text: 'A' } },
      { name: 'other-model', match: { model: 'm-2' }, reply: { text: 'B' } },
      { name: 'once', match: { regex: 'step \\d+' }, reply: { text: 'first' }, times: 1 },
      { name: 'fallback', reply: { text: 'later' } },
    ]);
    const texts: string[] = [];
    for (let step = 0; step < 2; step++) {
      texts.push((await generateText({ model: openai(), prompt: `step ${step}`, maxRetries: 0 })).text);
    }
    expect(texts).toEqual(['first', 'later']);
    expect(server.requests.map((request) => request.matchedRule)).toEqual(['once', 'fallback']);
  });

  it('requires every `contains` needle', async () => {
    server.setRules([
      { name: 'both', match: { contains: ['alpha', 'beta'] }, reply: { text: 'both' } },
      { name: 'any', reply: { text: 'any' } },
    ]);
    expect((await generateText({ model: openai(), prompt: 'alpha only', maxRetries: 0 })).text).toBe('any');
    expect((await generateText({ model: openai(), prompt: 'alpha and beta', maxRetries: 0 })).text).toBe(
      'both',
    );
  });

  it('rejects a bad regex when rules are set', () => {
    expect(() => server.setRules([{ match: { regex: '(' }, reply: { text: 'x' } }])).toThrow(/bad regex/);
  });

  it('waits the scripted latency before answering', async () => {
    server.setRules([{ reply: { text: 'slow', latencyMs: 30 } }]);
    const result = await generateText({ model: openai(), prompt: 'x', maxRetries: 0 });
    expect(result.text).toBe('slow');
  });
});

describe('raw HTTP', () => {
  const post = (path: string, body: string) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5_000),
    });

  it('answers 404 naming the routes for an unknown path', async () => {
    const response = await post('/v1/responses', '{}');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('/v1/chat/completions');
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await post('/v1/messages', 'not json');
    expect(response.status).toBe(400);
  });

  it('answers 500 naming the rule whose reply function threw', async () => {
    server.setRules([
      {
        name: 'broken',
        reply: () => {
          throw new Error('boom');
        },
      },
    ]);
    const response = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages: [] }));
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('rule broken threw: boom');
  });

  it('sends the trailing usage chunk only when stream_options.include_usage asks for it', async () => {
    server.setRules([{ reply: { text: 'hi' } }]);
    const plain = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'm', stream: true, messages: [] }),
    );
    expect(await plain.text()).not.toContain('prompt_tokens');
    const withUsage = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [] }),
    );
    const text = await withUsage.text();
    expect(text).toContain('prompt_tokens');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  });
});

describe('script files', () => {
  it('loads YAML and JSON scripts', () => {
    const directory = mkdtempSync(join(tmpdir(), 'scripted-model-'));
    const yamlFile = join(directory, 'script.yaml');
    writeFileSync(
      yamlFile,
      'latencyMs: 5\nrules:\n  - name: plan\n    match: { contains: plan }\n    reply: { json: { steps: [1, 2] } }\n',
    );
    expect(loadScriptFile(yamlFile)).toEqual({
      latencyMs: 5,
      rules: [{ name: 'plan', match: { contains: 'plan' }, reply: { json: { steps: [1, 2] } } }],
    });
    const jsonFile = join(directory, 'script.json');
    writeFileSync(jsonFile, JSON.stringify([{ reply: { text: 'hi' } }]));
    expect(loadScriptFile(jsonFile).rules).toEqual([{ reply: { text: 'hi' } }]);
  });

  it('names the offending field of a bad script', () => {
    expect(() => parseScript('rules:\n  - reply: { text: 3 }\n', 'yaml')).toThrow(
      /script\.rules\[0\]\.reply\.text/,
    );
    expect(() => parseScript('{', 'json')).toThrow(/not valid JSON/);
  });
});
