// The run's side of queued steps: each step becomes a BullMQ job; the run waits for it (bounded), or withdraws it.
import { Queue } from 'bullmq';
import { RomaError } from '../contracts/index.js';
import type { StepDispatcher, StepRequest, StepResult, StepScope } from '../engine/index.js';
import { StepOutputSchemas, stepKey } from '../engine/index.js';
import type { RunQueueCounts } from './run-queue.js';
import { bullConnection } from './run-queue.js';
import {
  decodeStepFailure,
  StepJobResultSchema,
  type StepRateLimits,
  stepCancelChannel,
  stepProvider,
  stepQueueName,
  stepQueueNames,
  stepStalledRecoveriesKey,
} from './step-job.js';
import { openStepResults } from './step-results.js';

export interface StepQueueOptions {
  redisUrl: string;
  prefix: string;
  /** Tries of a step that fails with a retryable error. */
  attempts: number;
  /** First wait before a retry; doubled each time. */
  backoffMs: number;
  /** How long to wait for one step job, queued and running. */
  timeoutMs: number;
  rateLimits: StepRateLimits;
  /** The model of steps that name none (the registry's default), to route them to their provider's queue. */
  defaultModelId: string | undefined;
}

export interface StepQueue extends StepDispatcher {
  /** The worker doing the step brings its own scope; the run's is not needed. */
  run(request: StepRequest, signal: AbortSignal, scope?: StepScope): Promise<StepResult>;
  /** Step jobs by state, over every step queue. */
  counts(): Promise<RunQueueCounts>;
  close(): Promise<void>;
}

export function openStepQueue(options: StepQueueOptions): StepQueue {
  const connection = bullConnection(options.redisUrl);
  const opened = new Map<string, Queue>();
  const open = (name: string): Queue => {
    let queue = opened.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix: options.prefix });
      opened.set(name, queue);
    }
    return queue;
  };
  const results = openStepResults({ redisUrl: options.redisUrl, prefix: options.prefix });
  const cancelChannel = stepCancelChannel(options.prefix);

  /** Takes a waiting job back; asks the worker running it to abort it (a worker that is not, ignores it). */
  const withdraw = async (queue: Queue, jobId: string): Promise<void> => {
    const job = await queue.getJob(jobId).catch(() => undefined);
    if (job) await job.remove().catch(() => undefined);
    await connection.publish(cancelChannel, jobId).catch(() => undefined);
  };

  const run = async (request: StepRequest, signal: AbortSignal): Promise<StepResult> => {
    if (signal.aborted) throw signal.reason;
    const queue = open(stepQueueName(stepProvider(request, options.defaultModelId), options.rateLimits));
    const jobId = stepKey(request);
    // Subscribed, and waiting for the job, before it exists: its result cannot come before anyone listens.
    const release = await results.subscribe(request.executionId);
    const expected = results.expect(jobId, queue);
    let onAbort: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Error('step timed out');
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => {
        void withdraw(queue, jobId);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => reject(timedOut), options.timeoutMs);
    });
    stopped.catch(() => undefined);
    let outcome: Awaited<typeof expected.outcome>;
    try {
      await queue.add(request.step, request, {
        jobId,
        attempts: options.attempts,
        backoff: { type: 'exponential', delay: options.backoffMs },
        removeOnComplete: { age: 3_600, count: 10_000 },
        removeOnFail: { age: 86_400, count: 10_000 },
      });
      outcome = await Promise.race([expected.outcome, stopped]);
    } catch (error) {
      if (signal.aborted) {
        // Aborted while the job was being added: the first withdrawal may have come before it existed.
        void withdraw(queue, jobId);
        throw signal.reason;
      }
      if (error === timedOut) {
        await withdraw(queue, jobId);
        throw new RomaError(
          'TIMEOUT',
          `step ${request.step} of task ${request.taskId} did not finish in ${options.timeoutMs} ms`,
          {
            field: 'queue.stepTimeoutMs',
            retryable: true,
            fix: 'start more workers (roma worker), or raise queue.stepTimeoutMs',
          },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      expected.forget();
      release();
    }
    if ('failure' in outcome) throw decodeStepFailure(outcome.failure, 'TASK_FAILED');
    const result = StepJobResultSchema.safeParse(outcome.result);
    const output = result.success ? StepOutputSchemas[request.step].safeParse(result.data.output) : undefined;
    if (!result.success || !output?.success) {
      throw new RomaError(
        'INTERNAL',
        `step ${request.step} of task ${request.taskId}: malformed job result`,
        {
          details: { jobId },
        },
      );
    }
    return { output: output.data, usage: result.data.usage };
  };

  return {
    remote: true,
    run: (request, signal) => run(request, signal),
    counts: async () => {
      const total: RunQueueCounts = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 };
      for (const name of stepQueueNames(options.rateLimits)) {
        const counts = await open(name).getJobCounts(
          'waiting',
          'active',
          'completed',
          'failed',
          'delayed',
          'prioritized',
        );
        total.waiting += (counts.waiting ?? 0) + (counts.prioritized ?? 0);
        total.active += counts.active ?? 0;
        total.completed += counts.completed ?? 0;
        total.failed += counts.failed ?? 0;
        total.delayed += counts.delayed ?? 0;
      }
      total.stalledRecoveries = Number((await connection.get(stepStalledRecoveriesKey(options.prefix))) ?? 0);
      return total;
    },
    close: async () => {
      results.close();
      for (const queue of opened.values()) await queue.close().catch(() => undefined);
      connection.disconnect();
    },
  };
}
