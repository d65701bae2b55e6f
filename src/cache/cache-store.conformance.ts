// The one behaviour suite every CacheStore must pass; memory and Redis tests call it with a factory.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CacheStore } from './cache-store.js';

interface CacheStoreFactory {
  /** A fresh, empty store (for Redis: a unique key prefix). */
  create(): Promise<CacheStore>;
  /** Removes whatever the store left behind, then closes it. */
  destroy(store: CacheStore): Promise<void>;
}

/** Polls `check` every 10 ms for at most `boundMs`; returns its last answer. */
async function eventually(check: () => Promise<boolean>, boundMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(10);
  }
  return check();
}

export function runCacheStoreConformance(name: string, factory: CacheStoreFactory): void {
  describe(`CacheStore conformance: ${name}`, () => {
    let store: CacheStore;

    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await factory.destroy(store);
    });

    it('returns undefined for a key never set', async () => {
      expect(await store.get('llm:v1:absent')).toBeUndefined();
    });

    it('returns what was set, byte for byte (unicode, JSON, large values)', async () => {
      const json = JSON.stringify({ text: 'héllo — 世界 🚀', nested: { list: [1, 2, 3] } });
      const large = 'x'.repeat(200_000);
      await store.set('llm:v1:a', json);
      await store.set('llm:v1:b', large);
      expect(await store.get('llm:v1:a')).toBe(json);
      expect(await store.get('llm:v1:b')).toBe(large);
    });

    it('overwrites an existing key', async () => {
      await store.set('k', 'one');
      await store.set('k', 'two');
      expect(await store.get('k')).toBe('two');
    });

    it('forgets an entry after its TTL and keeps one without TTL', async () => {
      await store.set('short', 'soon gone', { ttlMs: 500 });
      await store.set('long', 'stays');
      expect(await store.get('short')).toBe('soon gone');
      expect(await eventually(async () => (await store.get('short')) === undefined)).toBe(true);
      expect(await store.get('long')).toBe('stays');
    });

    it('deletes one key and says whether it existed', async () => {
      await store.set('doomed', 'x');
      expect(await store.delete('doomed')).toBe(true);
      expect(await store.get('doomed')).toBeUndefined();
      expect(await store.delete('doomed')).toBe(false);
    });

    it('clears by namespace prefix: entries, counters and locks under it, nothing else', async () => {
      await store.set('llm:v1:one', '1');
      await store.set('llm:v1:two', '2');
      await store.set('ptc:v1:three', '3');
      await store.incrementCounters('llm:openai:gpt', { hits: 1 });
      await store.incrementCounters('ptc:plans', { hits: 1 });
      await store.acquireLock('llm:v1:one', 'token', 10_000);
      await store.clear('llm:');
      expect(await store.get('llm:v1:one')).toBeUndefined();
      expect(await store.get('llm:v1:two')).toBeUndefined();
      expect(await store.isLocked('llm:v1:one')).toBe(false);
      expect(await store.get('ptc:v1:three')).toBe('3');
      expect(Object.keys(await store.readCounters(''))).toEqual(['ptc:plans']);
      await store.clear('');
      expect(await store.get('ptc:v1:three')).toBeUndefined();
      expect(await store.readCounters('')).toEqual({});
    });

    it('treats glob characters in a clear prefix literally', async () => {
      await store.set('a*b:1', 'star');
      await store.set('axb:1', 'plain');
      await store.clear('a*');
      expect(await store.get('a*b:1')).toBeUndefined();
      expect(await store.get('axb:1')).toBe('plain');
    });

    it('adds counters (integers and fractions) per group and reads them by prefix', async () => {
      await store.incrementCounters('llm:openai.chat:gpt-4o', {
        hits: 1,
        tokensSaved: 120,
        costSavedUsd: 0.25,
      });
      await store.incrementCounters('llm:openai.chat:gpt-4o', { hits: 2, misses: 1, costSavedUsd: 0.5 });
      await store.incrementCounters('ptc:plans', { misses: 3 });
      const llm = await store.readCounters('llm:');
      expect(Object.keys(llm)).toEqual(['llm:openai.chat:gpt-4o']);
      const group = llm['llm:openai.chat:gpt-4o'];
      expect(group?.hits).toBe(3);
      expect(group?.misses).toBe(1);
      expect(group?.tokensSaved).toBe(120);
      expect(group?.costSavedUsd).toBeCloseTo(0.75, 10);
      expect((await store.readCounters(''))['ptc:plans']).toEqual({ misses: 3 });
    });

    it('gives a lock to one token at a time; only the holder extends or releases it', async () => {
      expect(await store.isLocked('llm:v1:k')).toBe(false);
      expect(await store.acquireLock('llm:v1:k', 'first', 10_000)).toBe(true);
      expect(await store.acquireLock('llm:v1:k', 'second', 10_000)).toBe(false);
      expect(await store.isLocked('llm:v1:k')).toBe(true);
      expect(await store.extendLock('llm:v1:k', 'second', 10_000)).toBe(false);
      expect(await store.releaseLock('llm:v1:k', 'second')).toBe(false);
      expect(await store.extendLock('llm:v1:k', 'first', 10_000)).toBe(true);
      expect(await store.releaseLock('llm:v1:k', 'first')).toBe(true);
      expect(await store.isLocked('llm:v1:k')).toBe(false);
      expect(await store.acquireLock('llm:v1:k', 'second', 10_000)).toBe(true);
    });

    it('keeps locks apart from entries of the same key', async () => {
      await store.set('llm:v1:same', 'value');
      expect(await store.acquireLock('llm:v1:same', 'token', 10_000)).toBe(true);
      expect(await store.get('llm:v1:same')).toBe('value');
      await store.delete('llm:v1:same');
      expect(await store.isLocked('llm:v1:same')).toBe(true);
    });

    it('frees a lock whose holder died (TTL passed) for the next token', async () => {
      expect(await store.acquireLock('llm:v1:dead', 'died', 40)).toBe(true);
      expect(await eventually(async () => !(await store.isLocked('llm:v1:dead')))).toBe(true);
      expect(await store.extendLock('llm:v1:dead', 'died', 10_000)).toBe(false);
      expect(await store.acquireLock('llm:v1:dead', 'next', 10_000)).toBe(true);
    });
  });
}
