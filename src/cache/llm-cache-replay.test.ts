// Replay conversions: a stored stream rebuilt as a generate result and back keeps text, reasoning and tool calls.
import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { decodeLlmEntry, encodeLlmEntry, LLM_ENTRY_FORMAT } from './llm-cache-entry.js';
import { generateFromParts, partsFromGenerate, zeroUsage } from './llm-cache-replay.js';

const usage = {
  inputTokens: { total: 12, noCache: 12, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 7, text: 5, reasoning: 2 },
};
const timestamp = new Date('2026-01-02T03:04:05.000Z');
const parts: LanguageModelV3StreamPart[] = [
  { type: 'stream-start', warnings: [] },
  { type: 'response-metadata', id: 'resp-1', timestamp, modelId: 'gpt-4o-mini' },
  { type: 'reasoning-start', id: 'r' },
  { type: 'reasoning-delta', id: 'r', delta: 'think' },
  { type: 'reasoning-end', id: 'r' },
  { type: 'text-start', id: 't' },
  { type: 'text-delta', id: 't', delta: 'Hello, ' },
  { type: 'text-delta', id: 't', delta: 'world' },
  { type: 'text-end', id: 't' },
  { type: 'tool-input-start', id: 'c1', toolName: 'search' },
  { type: 'tool-input-delta', id: 'c1', delta: '{"q":"x"}' },
  { type: 'tool-input-end', id: 'c1' },
  { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: '{"q":"x"}' },
  { type: 'finish', usage, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
];

describe('replay conversions', () => {
  it('rebuilds a generate result from stream parts', () => {
    const result = generateFromParts(parts);
    expect(result.content).toEqual([
      { type: 'reasoning', text: 'think' },
      { type: 'text', text: 'Hello, world' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: '{"q":"x"}' },
    ]);
    expect(result.finishReason.unified).toBe('tool-calls');
    expect(result.usage).toEqual(usage);
    expect(result.response).toEqual({ id: 'resp-1', timestamp, modelId: 'gpt-4o-mini' });
  });

  it('round-trips generate → stream parts → generate', () => {
    const result = generateFromParts(parts);
    expect(generateFromParts(partsFromGenerate(result))).toEqual(result);
  });

  it('keeps dates and bytes through the stored JSON, and rejects a stream without finish', () => {
    const encoded = encodeLlmEntry({
      format: LLM_ENTRY_FORMAT,
      kind: 'stream',
      provider: 'openai.chat',
      modelId: 'gpt-4o-mini',
      createdAt: timestamp.toISOString(),
      usage: { inputTokens: 12, outputTokens: 7, cachedInputTokens: 0, reasoningTokens: 2 },
      parts: [
        ...parts.slice(0, -1),
        { type: 'file', mediaType: 'image/png', data: new Uint8Array([137, 80]) },
        parts.at(-1) as LanguageModelV3StreamPart,
      ],
    });
    const decoded = decodeLlmEntry(encoded);
    if (!decoded.ok || decoded.entry.kind !== 'stream') throw new Error('expected a stream entry');
    expect(decoded.entry.parts[1]).toMatchObject({ timestamp });
    expect(decoded.entry.parts.find((part) => part.type === 'file')).toMatchObject({
      data: new Uint8Array([137, 80]),
    });
    const truncated = JSON.parse(encoded) as { parts: unknown[] };
    truncated.parts.pop();
    expect(decodeLlmEntry(JSON.stringify(truncated)).ok).toBe(false);
    expect(zeroUsage().inputTokens.total).toBe(0);
  });
});
