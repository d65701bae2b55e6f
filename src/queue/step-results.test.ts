// A coordinator hears the steps of its runs on their channel, and finds in the job's state a result nobody announced.
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stepResultChannel } from './step-job.js';
import { openStepResults, type StepResults } from './step-results.js';
import { deleteQueueKeys, TEST_REDIS_URL, uniqueQueuePrefix } from './testing/test-redis.js';

const prefix = uniqueQueuePrefix('step-results');
const closers: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(() => deleteQueueKeys(prefix));

function open(firstCheckMs?: number): StepResults {
  const results = openStepResults({
    redisUrl: TEST_REDIS_URL,
    prefix,
    ...(firstCheckMs === undefined ? {} : { firstCheckMs }),
  });
  closers.push(() => results.close());
  return results;
}

function openQueue(name: string): Queue {
  const queue = new Queue(name, { connection: { url: TEST_REDIS_URL }, prefix });
  closers.push(() => queue.close());
  return queue;
}

describe('step results', { timeout: 30_000 }, () => {
  it("hears a job announced on its run's channel, and not one of another run", async () => {
    const results = open();
    const queue = openQueue('announced');
    const release = await results.subscribe('run-a');
    const heard = results.expect('job-1', queue).outcome;
    const twice = results.expect('job-1', queue).outcome;
    const other = results.expect('job-2', queue).outcome;
    const publisher = new Redis(TEST_REDIS_URL);
    closers.push(() => publisher.disconnect());
    // The other run's channel has no subscriber here: its job stays unheard.
    await publisher.publish(
      stepResultChannel(prefix, 'run-b'),
      JSON.stringify({ jobId: 'job-2', result: 2 }),
    );
    await publisher.publish(
      stepResultChannel(prefix, 'run-a'),
      JSON.stringify({ jobId: 'job-1', result: 1 }),
    );
    await expect(heard).resolves.toEqual({ result: 1 });
    // The same step asked for twice at once: both waiters hear it.
    await expect(twice).resolves.toEqual({ result: 1 });
    const settled = await Promise.race([other.then(() => 'settled'), Promise.resolve('waiting')]);
    expect(settled).toBe('waiting');
    release();
  });

  it('finds the outcome of a job whose end was never announced in its stored state', async () => {
    const results = open(100);
    const queue = openQueue('unannounced');
    // A plain BullMQ worker: it completes and fails jobs without announcing them.
    const worker = new Worker(
      'unannounced',
      async (job) => {
        if (job.name === 'fail') throw new Error('it broke');
        return { echoed: job.data.value };
      },
      { connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null }, prefix },
    );
    closers.push(() => worker.close());
    const release = await results.subscribe('run-c');
    const done = results.expect('job-ok', queue).outcome;
    const failed = results.expect('job-fail', queue).outcome;
    await queue.add('ok', { value: 7 }, { jobId: 'job-ok' });
    await queue.add('fail', {}, { jobId: 'job-fail', attempts: 1 });
    await expect(done).resolves.toEqual({ result: { echoed: 7 } });
    await expect(failed).resolves.toEqual({ failure: 'it broke' });
    release();
  });

  it('ends the waits still open when it closes', async () => {
    const results = open();
    const queue = openQueue('closing');
    const waiting = results.expect('job-never', queue).outcome;
    results.close();
    await expect(waiting).resolves.toEqual({ failure: 'the step queue was closed' });
  });
});
