// The memo behind decodeLlmEntry: bounded by entries and characters, and every decode hands out its own copy.
import { describe, expect, it } from 'vitest';
import { CheckedTextMemo } from './checked-text-memo.js';
import { decodeLlmEntry, encodeLlmEntry, LLM_ENTRY_FORMAT, type LlmCacheEntry } from './llm-cache-entry.js';

function entry(text: string): LlmCacheEntry {
  return {
    format: LLM_ENTRY_FORMAT,
    kind: 'generate',
    provider: 'openai.chat',
    modelId: 'gpt-4o-mini',
    createdAt: '2026-11-27T00:00:00.000Z',
    usage: { inputTokens: 10, outputTokens: 2, cachedInputTokens: 0, reasoningTokens: 0 },
    generate: {
      content: [{ type: 'text', text }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 2, text: 2, reasoning: 0 },
      },
      response: { id: 'r', timestamp: new Date('2026-11-27T00:00:00.000Z'), modelId: 'gpt-4o-mini' },
      warnings: [],
    },
  };
}

describe('CheckedTextMemo', () => {
  it('forgets the oldest texts beyond its entry and character bounds, and skips over-long texts', () => {
    const memo = new CheckedTextMemo<number>({ maxEntries: 2, maxChars: 10, maxTextChars: 6 });
    memo.set('aaa', 1);
    memo.set('bbb', 2);
    memo.set('ccc', 3);
    expect([memo.get('aaa'), memo.get('bbb'), memo.get('ccc')]).toEqual([undefined, 2, 3]);
    memo.set('dddddd', 4);
    expect(memo.size).toEqual({ entries: 2, chars: 9 });
    memo.set('eeee', 5);
    // Too many entries and 13 characters: the oldest goes.
    expect(memo.size).toEqual({ entries: 2, chars: 10 });
    expect(memo.get('ccc')).toBeUndefined();
    memo.set('far too long', 6);
    expect(memo.get('far too long')).toBeUndefined();
    expect(memo.get('dddddd')).toBe(4);
  });
});

describe('decodeLlmEntry with the memo', () => {
  it('gives every decode of one text its own copy: changing one does not change the next', () => {
    const text = encodeLlmEntry(entry('the answer'));
    const first = decodeLlmEntry(text);
    const second = decodeLlmEntry(`${text}`);
    if (!first.ok || !second.ok) throw new Error('a valid entry must decode');
    expect(second.entry).toEqual(first.entry);
    expect(second.entry).not.toBe(first.entry);
    if (first.entry.kind !== 'generate' || second.entry.kind !== 'generate')
      throw new Error('generate entry');
    first.entry.generate.content.push({ type: 'text', text: 'added by a caller' });
    first.entry.generate.response?.timestamp?.setTime(0);
    const third = decodeLlmEntry(text);
    expect(third.ok && third.entry).toEqual(second.entry);
    expect(second.entry.generate.response?.timestamp).toBeInstanceOf(Date);
  });

  it('still refuses a text that fails the check, every time', () => {
    const text = encodeLlmEntry(entry('x')).replace(LLM_ENTRY_FORMAT, 'roma-llm-cache/0');
    expect(decodeLlmEntry(text).ok).toBe(false);
    expect(decodeLlmEntry(text).ok).toBe(false);
  });
});
