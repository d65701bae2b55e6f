// The API's /metrics with ROMA_QUEUE=bullmq carries the run queue's jobs by state (real Redis); inline, it has none.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { STEP_QUEUE_NAME, stepStalledRecoveriesKey } from '../queue/step-job.js';
import { openRuntime } from '../runtime/index.js';
import { startApiServer } from './api-server.js';
import { apiRuntimeFrom } from './runtime-adapter.js';
import { parseApiKeys } from './security/index.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

async function scrapeWith(
  env: Record<string, string>,
  act: (runtime: Awaited<ReturnType<typeof openRuntime>>) => Promise<void>,
): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-metrics-queue-'));
  const runtime = await openRuntime(
    loadConfig({
      cwd: dataDir,
      env: {
        ROMA_MODEL: 'openai:scripted',
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        OPENAI_API_KEY: 'test-key',
        ROMA_CACHE_ENABLED: 'false',
        ROMA_LOG_LEVEL: 'warn',
        ROMA_DATA_DIR: dataDir,
        ...env,
      },
    }),
    { logName: 'test' },
  );
  const server = await startApiServer({
    runtime: apiRuntimeFrom(runtime),
    keys: parseApiKeys(''),
    host: '127.0.0.1',
    port: 0,
  });
  try {
    await act(runtime);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    return await response.text();
  } finally {
    await server.close();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('/metrics and the run queue', { timeout: 60_000 }, () => {
  it('shows a queued run as a waiting job when runs go to BullMQ', async () => {
    const prefix = `roma-metrics-queue-test-${process.pid}-${Date.now()}`;
    try {
      const text = await scrapeWith(
        { REDIS_URL, ROMA_QUEUE: 'bullmq', ROMA_QUEUE_PREFIX: prefix },
        async (runtime) => {
          // No worker runs: the job stays waiting.
          // The run never ends here; its waiter fails when the runtime closes, which is not what is tested.
          runtime.runs.start({ goal: 'Wait in line' }).done.catch(() => undefined);
          for (let attempt = 0; attempt < 100; attempt += 1) {
            if (((await runtime.queueCounts?.())?.waiting ?? 0) > 0) break;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        },
      );
      expect(text).toContain('# TYPE roma_queue_jobs gauge');
      expect(text).toMatch(/^roma_queue_jobs\{state="waiting"\} 1$/m);
      expect(text).toMatch(/^roma_queue_jobs\{state="active"\} 0$/m);
    } finally {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('shows waiting step jobs when task steps go to BullMQ (queue.steps)', async () => {
    const prefix = `roma-metrics-steps-test-${process.pid}-${Date.now()}`;
    const steps = new Queue(STEP_QUEUE_NAME, { connection: { url: REDIS_URL }, prefix });
    try {
      // Two steps waiting for a worker, as a coordinator leaves them when no `roma worker` runs.
      await steps.add('execute', { placeholder: 1 });
      await steps.add('execute', { placeholder: 2 });
      // Three steps whose worker died were handed on, as the workers' stall checkers count them.
      const counter = new Redis(REDIS_URL);
      await counter.set(stepStalledRecoveriesKey(prefix), '3');
      counter.disconnect();
      const text = await scrapeWith(
        { REDIS_URL, ROMA_QUEUE: 'bullmq', ROMA_QUEUE_STEPS: 'true', ROMA_QUEUE_PREFIX: prefix },
        async () => undefined,
      );
      expect(text).toContain('# TYPE roma_queue_step_jobs gauge');
      expect(text).toMatch(/^roma_queue_step_jobs\{state="waiting"\} 2$/m);
      expect(text).toMatch(/^roma_queue_step_jobs\{state="active"\} 0$/m);
      expect(text).toMatch(/^roma_queue_step_stalled_recoveries 3$/m);
      // Positive control for the next case: the run queue's gauge is there too.
      expect(text).toMatch(/^roma_queue_jobs\{state="waiting"\} 0$/m);
    } finally {
      await steps.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('has no queue gauge when runs run in the API process', async () => {
    const text = await scrapeWith({}, async () => undefined);
    expect(text).toContain('roma_runs');
    expect(text).not.toContain('roma_queue_jobs');
    expect(text).not.toContain('roma_queue_step_jobs');
    expect(text).not.toContain('roma_queue_step_stalled_recoveries');
  });
});
