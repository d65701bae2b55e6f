// The run's side of queued steps: each step becomes a BullMQ job; the run waits for it (bounded), or withdraws it.
import { type Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
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
} from './step-job.js';

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

interface OpenedQueue {
  queue: Queue;
  events: QueueEvents;
  ready: Promise<void>;
}

export function openStepQueue(options: StepQueueOptions): StepQueue {
  const connection = bullConnection(options.redisUrl);
  const eventConnections: Redis[] = [];
  const opened = new Map<string, OpenedQueue>();
  const open = (name: string): OpenedQueue => {
    let entry = opened.get(name);
    if (!entry) {
      const queue = new Queue(name, { connection, prefix: options.prefix });
      // Blocking stream reads need a connection of their own.
      const eventConnection = bullConnection(options.redisUrl);
      eventConnections.push(eventConnection);
      const events = new QueueEvents(name, { connection: eventConnection, prefix: options.prefix });
      events.on('error', () => undefined);
      entry = { queue, events, ready: events.waitUntilReady().then(() => undefined) };
      opened.set(name, entry);
    }
    return entry;
  };
  const cancelChannel = stepCancelChannel(options.prefix);

  /** Takes a waiting job back; asks the worker running it to abort it (a worker that is not, ignores it). */
  const withdraw = async (queue: Queue, jobId: string): Promise<void> => {
    const job = await queue.getJob(jobId).catch(() => undefined);
    if (job) await job.remove().catch(() => undefined);
    await connection.publish(cancelChannel, jobId).catch(() => undefined);
  };

  const run = async (request: StepRequest, signal: AbortSignal): Promise<StepResult> => {
    if (signal.aborted) throw signal.reason;
    const { queue, events, ready } = open(
      stepQueueName(stepProvider(request, options.defaultModelId), options.rateLimits),
    );
    await ready;
    const jobId = stepKey(request);
    const job: Job = await queue.add(request.step, request, {
      jobId,
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: { age: 3_600, count: 10_000 },
      removeOnFail: { age: 86_400, count: 10_000 },
    });
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        void withdraw(queue, jobId);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const finished = job.waitUntilFinished(events, options.timeoutMs);
    finished.catch(() => undefined);
    aborted.catch(() => undefined);
    let raw: unknown;
    try {
      raw = await Promise.race([finished, aborted]);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const text = error instanceof Error ? error.message : String(error);
      if (/timed out before finishing/.test(text)) {
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
      throw decodeStepFailure(text, 'TASK_FAILED');
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
    const result = StepJobResultSchema.safeParse(raw);
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
        const counts = await open(name).queue.getJobCounts(
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
      return total;
    },
    close: async () => {
      for (const entry of opened.values()) {
        await entry.events.close().catch(() => undefined);
        await entry.queue.close().catch(() => undefined);
      }
      for (const eventConnection of eventConnections) eventConnection.disconnect();
      connection.disconnect();
    },
  };
}
