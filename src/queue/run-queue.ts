// The BullMQ queue of runs on Redis: enqueue a start or a resume, take back one that has not begun, count jobs.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RomaError } from '../contracts/index.js';
import { RUN_QUEUE_NAME, type RunJob, startJobId } from './run-job.js';

export interface RunQueueOptions {
  redisUrl: string;
  prefix: string;
}

export interface RunQueueCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
  /** Jobs whose worker died, handed on to another since the queue began (step queues count them). */
  stalledRecoveries?: number;
}

export interface RunQueue {
  enqueue(job: RunJob): Promise<void>;
  /** Removes the start job of `executionId` if no worker has taken it yet; true when it was removed. */
  withdraw(executionId: string): Promise<boolean>;
  counts(): Promise<RunQueueCounts>;
  close(): Promise<void>;
}

/** Redis connection settings BullMQ needs (blocking commands must not time out). */
export function bullConnection(redisUrl: string): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: false, lazyConnect: false });
}

export function requireRedisUrl(redisUrl: string | undefined): string {
  if (!redisUrl) {
    throw new RomaError('CONFIG_INVALID', 'queue.mode is bullmq but no Redis is configured', {
      field: 'cache.redisUrl',
      fix: 'set REDIS_URL=redis://host:6379, or ROMA_QUEUE=inline to run in this process',
    });
  }
  return redisUrl;
}

export function openRunQueue(options: RunQueueOptions): RunQueue {
  const connection = bullConnection(options.redisUrl);
  const queue = new Queue(RUN_QUEUE_NAME, { connection, prefix: options.prefix });
  return {
    enqueue: async (job) => {
      const jobId =
        job.kind === 'start' ? startJobId(job.executionId) : `resume-${job.executionId}-${randomUUID()}`;
      await queue.add(job.kind, job, {
        jobId,
        // A failed run is a result, not a job to retry: the run's own retries are in the engine.
        attempts: 1,
        removeOnComplete: { count: 1_000 },
        removeOnFail: { count: 1_000 },
      });
    },
    withdraw: async (executionId) => {
      const job = await queue.getJob(startJobId(executionId));
      if (!job) return false;
      const state = await job.getState();
      if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
      await job.remove().catch(() => undefined);
      return (await queue.getJob(startJobId(executionId))) === undefined;
    },
    counts: async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
      return {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        completed: counts.completed ?? 0,
        failed: counts.failed ?? 0,
        delayed: counts.delayed ?? 0,
      };
    },
    close: async () => {
      await queue.close();
      connection.disconnect();
    },
  };
}
