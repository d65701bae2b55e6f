// A per-provider rate limit shared by step workers: steps of a limited provider go to its own queue, whose BullMQ
// limiter (kept in Redis) every worker obeys; real Redis, two step workers, the scripted model server's request log.
import { Queue } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ScriptedTree } from '../dev/scripted-model/index.js';
import { scriptedTreeRules } from '../dev/scripted-model/index.js';
import { solve } from '../engine/index.js';
import { STEP_QUEUE_NAME, type StepRateLimits } from './step-job.js';
import { InProcessStepsTests } from './testing/in-process-step-workers.js';
import { deleteQueueKeys, TEST_REDIS_URL, uniqueQueuePrefix } from './testing/test-redis.js';

const GOAL = 'Survey four districts';
const DISTRICTS = Array.from({ length: 4 }, (_, index) => ({
  id: `d${index}`,
  goal: `Survey district ${index}`,
  taskType: 'THINK' as const,
  dependencies: [],
}));
const tree: ScriptedTree = {
  goal: GOAL,
  tasks: {
    [GOAL]: { plan: DISTRICTS, result: 'FOUR DISTRICTS SURVEYED' },
    ...Object.fromEntries(DISTRICTS.map((district) => [district.goal, { result: `${district.id} OK` }])),
  },
};
const LIMIT = { max: 2, durationMs: 1_000 };
/** BullMQ's limiter counts job starts in fixed windows: any sliding window may hold two; a third for slack. */
const MOST_PER_WINDOW = 3 * LIMIT.max;

const prefixes: string[] = [];
const tests = new InProcessStepsTests();
afterEach(() => tests.closeAll());
afterAll(() => deleteQueueKeys(...prefixes));

/** Two step workers (each a Worker set of its own, as two processes would have) and the run's step queue. */
async function openWorkers(rateLimits: StepRateLimits) {
  const prefix = `${uniqueQueuePrefix('step-rate')}-${prefixes.length}`;
  prefixes.push(prefix);
  const { kit, steps } = await tests.open(scriptedTreeRules(tree), {
    prefix,
    workers: 2,
    concurrency: 4,
    attempts: 1,
    backoffMs: 0,
    timeoutMs: 60_000,
    rateLimits,
  });
  return { kit, steps, prefix };
}

/** The most model requests that arrived within any `windowMs`. */
function busiestWindow(arrivals: number[], windowMs: number): number {
  const sorted = [...arrivals].sort((left, right) => left - right);
  let most = 0;
  for (let start = 0; start < sorted.length; start += 1) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1]! - sorted[start]! < windowMs) end += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('per-provider rate limit over step workers', { timeout: 90_000 }, () => {
  it('without a limit, the steps of a wide plan reach the model in a burst (positive control)', async () => {
    const { kit, steps } = await openWorkers({});
    const outcome = await solve({ ...kit.deps(), steps }, { goal: GOAL });
    expect(outcome.status).toBe('COMPLETED');
    const arrivals = kit.server.requests.map((request) => request.receivedAt);
    expect(arrivals).toHaveLength(11);
    expect(busiestWindow(arrivals, LIMIT.durationMs)).toBeGreaterThan(MOST_PER_WINDOW);
  });

  it("sends a limited provider's steps through its own queue, at most its rate over both workers", async () => {
    const { kit, steps, prefix } = await openWorkers({ openai: LIMIT });
    const providerQueue = new Queue(`${STEP_QUEUE_NAME}-openai`, {
      connection: { url: TEST_REDIS_URL },
      prefix,
    });
    const sharedQueue = new Queue(STEP_QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
    tests.onClose(
      () => providerQueue.close(),
      () => sharedQueue.close(),
    );
    // The limiter's window is a key in Redis that every worker of the queue reads: seen held at least once.
    let limited = false;
    const watch = setInterval(() => {
      providerQueue.getRateLimitTtl(LIMIT.max).then(
        (ttl) => {
          if (ttl > 0) limited = true;
        },
        () => undefined,
      );
    }, 50);
    const outcome = await solve({ ...kit.deps(), steps }, { goal: GOAL }).finally(() => clearInterval(watch));
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'FOUR DISTRICTS SURVEYED' });
    const arrivals = kit.server.requests.map((request) => request.receivedAt);
    expect(arrivals).toHaveLength(11);
    expect(busiestWindow(arrivals, LIMIT.durationMs)).toBeLessThanOrEqual(MOST_PER_WINDOW);
    expect(limited).toBe(true);
    expect((await providerQueue.getJobCounts('completed')).completed).toBe(11);
    expect((await sharedQueue.getJobCounts('completed')).completed).toBe(0);
  });
});
