// Memory store: the conformance suite, plus the LRU bounds and the kept decoded entries only an in-process store has.
import { describe, expect, it } from 'vitest';
import { runCacheStoreConformance } from './cache-store.conformance.js';
import type { Decoded } from './cache-store.js';
import { MemoryCacheStore } from './memory-cache-store.js';

runCacheStoreConformance('memory', {
  create: async () => new MemoryCacheStore(),
  destroy: async (store) => {
    await store.close();
  },
});

describe('MemoryCacheStore bounds', () => {
  it('evicts the least recently used entry when over the entry limit', () => {
    const store = new MemoryCacheStore({ maxEntries: 2 });
    store.set('a', '1');
    store.set('b', '2');
    expect(store.get('a')).toBe('1');
    store.set('c', '3');
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBe('1');
    expect(store.get('c')).toBe('3');
  });

  it('evicts by bytes and never keeps more than its byte limit', () => {
    const store = new MemoryCacheStore({ maxBytes: 100 });
    for (let index = 0; index < 10; index += 1) store.set(`k${index}`, 'v'.repeat(30));
    expect(store.size.bytes).toBeLessThanOrEqual(100);
    expect(store.get('k9')).toBe('v'.repeat(30));
    expect(store.get('k0')).toBeUndefined();
  });

  it('does not store a value larger than the whole store', () => {
    const store = new MemoryCacheStore({ maxBytes: 50 });
    store.set('small', 'ok');
    store.set('huge', 'x'.repeat(100));
    expect(store.get('huge')).toBeUndefined();
    expect(store.get('small')).toBe('ok');
  });

  it('expires by the injected clock', () => {
    let now = 1_000;
    const store = new MemoryCacheStore({ now: () => now });
    store.set('k', 'v', { ttlMs: 10 });
    now += 9;
    expect(store.get('k')).toBe('v');
    now += 1;
    expect(store.get('k')).toBeUndefined();
    expect(store.size.entries).toBe(0);
  });
});

describe('MemoryCacheStore.getDecoded', () => {
  const counting = () => {
    const calls: string[] = [];
    const decode = (text: string): Decoded<{ items: number[] }> => {
      calls.push(text);
      const value = JSON.parse(text) as { items?: unknown };
      return Array.isArray(value.items)
        ? { ok: true, value: { items: value.items as number[] } }
        : { ok: false, problem: 'no items' };
    };
    return { calls, decode };
  };

  it('decodes a value stored with its decoder once, and shares it frozen', () => {
    const store = new MemoryCacheStore();
    const { calls, decode } = counting();
    store.set('k', '{"items":[1,2]}', { decode });
    const first = store.getDecoded('k', decode);
    const second = store.getDecoded('k', decode);
    expect(calls).toHaveLength(1);
    expect(first?.text).toBe('{"items":[1,2]}');
    expect(first?.decoded).toEqual({ ok: true, value: { items: [1, 2] } });
    expect(second?.decoded).toBe(first?.decoded);
    const value = first?.decoded.ok ? first.decoded.value : undefined;
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value?.items)).toBe(true);
    expect(() => value?.items.push(3)).toThrow(TypeError);
    expect(store.get('k')).toBe('{"items":[1,2]}');
  });

  it('decodes on first read what was stored without a decoder, and again for another decoder', () => {
    const store = new MemoryCacheStore();
    const one = counting();
    const other = counting();
    store.set('k', '{"items":[1]}');
    store.getDecoded('k', one.decode);
    store.getDecoded('k', one.decode);
    store.getDecoded('k', other.decode);
    expect(one.calls).toHaveLength(1);
    expect(other.calls).toHaveLength(1);
  });

  it('keeps no decoded form of a text that does not decode, and none past a replace, delete or expiry', () => {
    let now = 0;
    const store = new MemoryCacheStore({ now: () => now });
    const { calls, decode } = counting();
    store.set('bad', '{}', { decode });
    expect(store.getDecoded('bad', decode)?.decoded.ok).toBe(false);
    expect(calls).toHaveLength(2);
    store.set('k', '{"items":[1]}', { decode });
    store.set('k', '{"items":[2]}', { decode });
    expect(store.getDecoded('k', decode)?.decoded).toEqual({ ok: true, value: { items: [2] } });
    store.delete('k');
    expect(store.getDecoded('k', decode)).toBeUndefined();
    store.set('k', '{"items":[3]}', { decode, ttlMs: 10 });
    now += 10;
    expect(store.getDecoded('k', decode)).toBeUndefined();
    expect(store.size.entries).toBe(1);
  });

  it('counts a decoded entry twice against the byte bound, and does not keep decoded what would not fit twice', () => {
    const store = new MemoryCacheStore({ maxBytes: 100 });
    const { calls, decode } = counting();
    const text = '{"items":[1]}';
    store.set('a', text, { decode });
    expect(store.size.bytes).toBe(1 + 2 * Buffer.byteLength(text));
    const large = `{"items":[${'1,'.repeat(30)}1]}`;
    store.set('b', large, { decode });
    expect(store.get('b')).toBe(large);
    store.getDecoded('b', decode);
    expect(calls.filter((call) => call === large)).toHaveLength(2);
    expect(store.size.bytes).toBeLessThanOrEqual(100);
  });
});
