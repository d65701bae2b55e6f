// Policy: SMART caches deterministic calls only; the call's, task type's and module's rules win in that order.
import { describe, expect, it } from 'vitest';
import { readCacheContext, runWithCacheContext } from './cache-context.js';
import { type CachePolicyConfig, DEFAULT_CACHE_POLICY, decideCachePolicy } from './cache-policy.js';

const config: CachePolicyConfig = {
  ...DEFAULT_CACHE_POLICY,
  modules: { planner: { strategy: 'ALWAYS', ttlSeconds: 60 }, verifier: { strategy: 'NEVER' } },
  taskTypes: { WRITE: { strategy: 'NEVER' }, CODE: { ttlSeconds: 30 } },
};

describe('decideCachePolicy', () => {
  it('SMART: temperature 0 or a seed is cached for the deterministic TTL; anything else is not', () => {
    expect(decideCachePolicy(config, {}, { temperature: 0 })).toMatchObject({
      use: true,
      ttlMs: 7 * 24 * 3600 * 1000,
    });
    expect(decideCachePolicy(config, {}, { temperature: 0.7, seed: 4 })).toMatchObject({
      use: true,
      deterministic: true,
    });
    expect(decideCachePolicy(config, {}, { temperature: 0.7 }).use).toBe(false);
    expect(decideCachePolicy(config, {}, {}).use).toBe(false);
  });

  it('ALWAYS caches non-deterministic calls for the shorter TTL; NEVER caches nothing', () => {
    expect(decideCachePolicy(config, { cacheStrategy: 'ALWAYS' }, { temperature: 1 })).toMatchObject({
      use: true,
      ttlMs: 3600 * 1000,
    });
    expect(decideCachePolicy(config, { cacheStrategy: 'NEVER' }, { temperature: 0 }).use).toBe(false);
  });

  it('call > task type > module > section', () => {
    expect(decideCachePolicy(config, { module: 'planner' }, { temperature: 1 })).toMatchObject({
      use: true,
      ttlMs: 60_000,
    });
    expect(decideCachePolicy(config, { module: 'planner', taskType: 'WRITE' }, { temperature: 0 }).use).toBe(
      false,
    );
    expect(
      decideCachePolicy(config, { module: 'verifier', cacheStrategy: 'SMART' }, { temperature: 0 }).use,
    ).toBe(true);
    expect(decideCachePolicy(config, { module: 'planner', taskType: 'CODE' }, { temperature: 0 }).ttlMs).toBe(
      30_000,
    );
    expect(
      decideCachePolicy(config, { taskType: 'CODE', cacheTtlSeconds: 5 }, { temperature: 0 }).ttlMs,
    ).toBe(5_000);
  });
});

describe('readCacheContext', () => {
  it('reads providerOptions.roma over the async scope, and ignores an invalid one with a problem', () => {
    const inScope = runWithCacheContext({ module: 'executor', taskType: 'THINK', executionId: 'run-1' }, () =>
      readCacheContext({ roma: { module: 'planner' } }),
    );
    expect(inScope.context).toEqual({ module: 'planner', taskType: 'THINK', executionId: 'run-1' });
    const invalid = readCacheContext({ roma: { module: 'chef' } });
    expect(invalid.context).toEqual({});
    expect(invalid.problem).toContain('providerOptions.roma.module');
    expect(readCacheContext(undefined).context).toEqual({});
  });
});
