// Cache warming: answers loaded from a JSONL file or from a stored run are served without an upstream call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, zodSchema } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptedModelServerForFile } from '../dev/scripted-model/testing/server-for-file.js';
import { callObject, callText } from '../llm/index.js';
import { FileArtifactStore } from '../store/file-artifact-store.js';
import { SqliteExecutionStore } from '../store/sqlite-execution-store.js';
import { warmCacheFromJsonl, warmCacheFromRun } from './cache-warming.js';
import { createLlmCache } from './llm-cache-middleware.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import {
  createRunCacheRecorder,
  RUN_CACHE_ARTIFACT_MIME_TYPE,
  RUN_CACHE_ARTIFACT_NAME,
} from './run-cache-recorder.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const server = scriptedModelServerForFile(() => [{ reply: { text: 'from upstream' } }]);
const quiet = { warn: () => {} };

const openai = () => createOpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseUrl }).chat('gpt-4o-mini');

describe('warmCacheFromJsonl', () => {
  it('serves warmed pairs (prompt, messages, structured) to later calls without upstream requests', async () => {
    const personSchema = z.object({ name: z.string(), born: z.number() });
    const lines = [
      {
        type: 'pair',
        model: 'openai:gpt-4o-mini',
        request: { system: 'be brief', prompt: 'capital of France?', temperature: 0 },
        response: { text: 'Paris.', usage: { inputTokens: 20, outputTokens: 2 } },
      },
      {
        type: 'pair',
        model: 'openai:gpt-4o-mini',
        request: {
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'assistant', content: 'hello' },
            { role: 'user', content: 'and now?' },
          ],
          temperature: 0,
        },
        response: { text: 'now we talk.' },
      },
      {
        type: 'pair',
        model: 'openai:gpt-4o-mini',
        request: { prompt: 'a person', temperature: 0, schema: zodSchema(personSchema).jsonSchema },
        response: { json: { name: 'Ada', born: 1815 } },
      },
    ];
    const store = new MemoryCacheStore();
    const cache = createLlmCache({ store, logger: quiet });
    const report = await warmCacheFromJsonl(cache, lines.map((line) => JSON.stringify(line)).join('\n'));
    expect(report).toEqual({ lines: 3, stored: 3, skipped: 0, problems: [] });

    const model = cache.wrap(openai());
    const capital = await callText({
      model,
      system: 'be brief',
      prompt: 'capital of France?',
      temperature: 0,
    });
    expect(capital).toMatchObject({ value: 'Paris.', cacheHit: true });
    const chat = await generateText({
      model,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'and now?' },
      ],
      temperature: 0,
    });
    expect(chat.text).toBe('now we talk.');
    const person = await callObject({ model, prompt: 'a person', temperature: 0, schema: personSchema });
    expect(person).toMatchObject({ value: { name: 'Ada', born: 1815 }, cacheHit: true });
    expect(server.requests).toHaveLength(0);
    await cache.flush();
    expect((await store.readCounters('llm:'))['llm:openai.chat:gpt-4o-mini']).toMatchObject({
      stores: 3,
      hits: 3,
      inputTokensSaved: 20,
    });
  });

  it('reports each bad line by number and still loads the good ones', async () => {
    const text = [
      '{"type":"pair","model":"openai:gpt-4o-mini","request":{"prompt":"ok","temperature":0},"response":{"text":"fine"}}',
      'not json at all',
      '{"type":"pair","model":"openai:gpt-4o-mini","request":{"temperature":0},"response":{"text":"x"}}',
      '{"type":"pair","model":"mystery:model","request":{"prompt":"p"},"response":{"text":"x"}}',
      '',
      '{"type":"entry","key":"llm:v2:openai.chat:gpt-4o-mini:abc","entry":{"format":"other"}}',
    ].join('\n');
    const cache = createLlmCache({ store: new MemoryCacheStore(), logger: quiet });
    const report = await warmCacheFromJsonl(cache, text);
    expect(report.lines).toBe(5);
    expect(report.stored).toBe(1);
    expect(report.problems.map((problem) => problem.line)).toEqual([2, 3, 4, 6]);
    expect(report.problems[0]?.message).toContain('not valid JSON');
    expect(report.problems[1]?.message).toContain('prompt or messages');
    expect(report.problems[2]?.message).toContain('mystery:model');
  });
});

describe('warmCacheFromRun', () => {
  it("loads the entries a run recorded into another cache, which then answers the run's calls", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'roma-cache-warm-'));
    const executionStore = SqliteExecutionStore.open({ filePath: ':memory:' });
    const artifactStore = new FileArtifactStore({ dataDir: directory });
    try {
      // The run: its calls carry the execution id, the recorder keeps their entries.
      const recorder = createRunCacheRecorder();
      const runCache = createLlmCache({
        store: new MemoryCacheStore(),
        logger: quiet,
        onEntry: recorder.onEntry,
      });
      const roma = { roma: { module: 'executor', executionId: 'run-1' } } as const;
      const first = await generateText({
        model: runCache.wrap(openai()),
        prompt: 'step one',
        temperature: 0,
        providerOptions: roma,
      });
      await generateText({
        model: runCache.wrap(openai()),
        prompt: 'step two',
        temperature: 0,
        providerOptions: roma,
      });
      expect(server.requests).toHaveLength(2);

      // What the run must store: the recorder's JSONL as an artifact, announced by an artifact-created event.
      await executionStore.createExecution({ id: 'run-1', goal: 'demo' });
      const artifact = await artifactStore.put({
        executionId: 'run-1',
        taskId: 'root',
        name: RUN_CACHE_ARTIFACT_NAME,
        mimeType: RUN_CACHE_ARTIFACT_MIME_TYPE,
        bytes: Buffer.from(recorder.drain('run-1')),
      });
      await executionStore.append({
        type: 'artifact-created',
        executionId: 'run-1',
        timestamp: new Date().toISOString(),
        taskId: null,
        artifact,
      });

      const freshStore = new MemoryCacheStore();
      const fresh = createLlmCache({ store: freshStore, logger: quiet });
      const report = await warmCacheFromRun(fresh, { executionStore, artifactStore }, 'run-1');
      expect(report).toMatchObject({ lines: 2, stored: 2, skipped: 0 });
      const again = await generateText({ model: fresh.wrap(openai()), prompt: 'step one', temperature: 0 });
      expect(again.text).toBe(first.text);
      expect((again.providerMetadata?.roma as { cacheHit?: boolean } | undefined)?.cacheHit).toBe(true);
      expect(server.requests).toHaveLength(2);

      await expect(
        warmCacheFromRun(fresh, { executionStore, artifactStore }, 'no-such-run'),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    } finally {
      await executionStore.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
