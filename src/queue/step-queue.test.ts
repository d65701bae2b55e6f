// Steps as BullMQ jobs on real Redis, done by a step worker over the run's store, pass the same conformance suite
// as steps done in process.
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { runStepDispatcherConformance } from '../engine/step-dispatcher.conformance.js';
import { createLogger } from '../logging/index.js';
import { openStepQueue } from './step-queue.js';
import { startStepWorker } from './step-worker.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `roma-step-queue-test-${process.pid}-${Date.now()}`;

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

runStepDispatcherConformance('BullMQ step jobs', {
  open: async (kit) => {
    const worker = startStepWorker(
      {
        store: kit.store,
        models: kit.deps().models,
        config: kit.config,
        codeAgent: undefined,
        logger: createLogger({ level: 'silent', format: 'json' }),
      },
      {
        redisUrl: REDIS_URL,
        prefix,
        concurrency: 4,
        lockDurationMs: 5_000,
        rateLimits: {},
        budgetLeaseMs: 30_000,
      },
    );
    const steps = openStepQueue({
      redisUrl: REDIS_URL,
      prefix,
      attempts: 3,
      backoffMs: 50,
      timeoutMs: 30_000,
      rateLimits: {},
      defaultModelId: kit.deps().models.defaultModelId,
    });
    return {
      steps,
      close: async () => {
        await steps.close();
        await worker.close(5_000);
      },
    };
  },
});
