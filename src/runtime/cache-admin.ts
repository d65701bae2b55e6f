// The cache as `roma cache stats|clear|warm` reaches it: the configured store, Redis required to be up.
import type { CacheStore, LlmCache, WarmOptions } from '../cache/index.js';
import {
  createLlmCache,
  llmCacheOptionsFromConfig,
  openCacheStore,
  RedisCacheStore,
} from '../cache/index.js';
import type { RomaConfig } from '../config/index.js';
import { RomaError } from '../contracts/index.js';

/** Runs `action` on the configured cache store (Redis with REDIS_URL, else in-memory), then closes it. */
export async function withCacheStore<T>(
  config: RomaConfig,
  action: (store: CacheStore) => Promise<T>,
): Promise<T> {
  const store = await openCacheStore(config.cache);
  try {
    if (store instanceof RedisCacheStore && !store.available) {
      throw new RomaError('CACHE_FAILED', 'Redis is not reachable', {
        retryable: true,
        fix: 'check REDIS_URL (cache.redisUrl) and that Redis runs',
      });
    }
    return await action(store);
  } finally {
    await store.close();
  }
}

/** An LLM cache over `store` with the config's policy and prices, and the options warming it takes. */
export function warmingCache(
  store: CacheStore,
  config: RomaConfig,
): { cache: LlmCache; options: WarmOptions } {
  const cache = createLlmCache({
    store,
    ...llmCacheOptionsFromConfig(config.cache, { prices: config.llm.prices }),
  });
  return { cache, options: { policy: llmCacheOptionsFromConfig(config.cache).policy ?? {} } };
}
