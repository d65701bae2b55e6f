// Redis store: the conformance suite against the machine's Redis (unique prefix per test), plus outage behaviour.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CacheLogger } from './cache-logger.js';
import { runCacheStoreConformance } from './cache-store.conformance.js';
import { RedisCacheStore } from './redis-cache-store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent: CacheLogger = { warn: () => {}, info: () => {} };

runCacheStoreConformance('redis', {
  create: async () => {
    const store = new RedisCacheStore({
      url: REDIS_URL,
      keyPrefix: `roma-test:${randomUUID()}:`,
      logger: silent,
    });
    expect(await store.connect()).toBe(true);
    return store;
  },
  destroy: async (store) => {
    await store.clear('');
    await store.close();
  },
});

describe('RedisCacheStore outages', () => {
  it('fails fast with CACHE_FAILED when Redis is unreachable, warning once however many calls fail', async () => {
    const warnings: string[] = [];
    const store = new RedisCacheStore({
      url: 'redis://127.0.0.1:1',
      keyPrefix: `roma-test:${randomUUID()}:`,
      logger: { warn: (message) => warnings.push(message) },
    });
    try {
      expect(await store.connect()).toBe(false);
      for (let index = 0; index < 5; index += 1) {
        await expect(store.get('k')).rejects.toMatchObject({ code: 'CACHE_FAILED' });
      }
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('running uncached');
      expect(store.errorCount).toBeGreaterThanOrEqual(5);
    } finally {
      await store.close();
    }
  });

  it('never prints the password of the Redis URL', async () => {
    const warnings: string[] = [];
    const store = new RedisCacheStore({
      url: 'redis://user:sup3rsecret@127.0.0.1:1',
      logger: { warn: (message) => warnings.push(message) },
    });
    try {
      await store.connect();
      await expect(store.get('k')).rejects.toThrow();
      expect(warnings.join('\n')).not.toContain('sup3rsecret');
    } finally {
      await store.close();
    }
  });

  it("warns once when Redis's maxmemory-policy would refuse writes instead of evicting", async () => {
    const warnings: string[] = [];
    const store = new RedisCacheStore({
      url: REDIS_URL,
      keyPrefix: `roma-test:${randomUUID()}:`,
      logger: { warn: (message) => warnings.push(message) },
    });
    try {
      expect(await store.connect()).toBe(true);
      const reply = (await store.client.config('GET', 'maxmemory-policy')) as string[];
      const policy = reply[1];
      // The check runs right after connecting; give it a bounded moment to answer.
      for (let attempt = 0; attempt < 100 && policy === 'noeviction' && warnings.length === 0; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const noeviction = warnings.filter((warning) => warning.includes('noeviction'));
      expect(noeviction).toHaveLength(policy === 'noeviction' ? 1 : 0);
    } finally {
      await store.close();
    }
  });
});
