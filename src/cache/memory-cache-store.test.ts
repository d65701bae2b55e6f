// Memory store: the conformance suite, plus the LRU bounds only an in-process store has.
import { describe, expect, it } from 'vitest';
import { runCacheStoreConformance } from './cache-store.conformance.js';
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
