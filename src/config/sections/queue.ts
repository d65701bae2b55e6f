// Config of scale-out: runs in this process (default) or as BullMQ jobs on Redis taken by `roma worker`s.
import { z } from 'zod';

export const QueueConfigSchema = z
  .object({
    /** `inline`: runs execute where they are started. `bullmq`: they are jobs on Redis (`cache.redisUrl`). */
    mode: z.enum(['inline', 'bullmq']).default('inline'),
    /** Redis key prefix of the queue (several deployments can share one Redis). */
    prefix: z.string().min(1).max(100).default('roma-queue'),
    /** Runs one `roma worker` executes at once. */
    workerConcurrency: z.number().int().min(1).max(256).default(2),
    /** A worker that has not renewed its job's lock for this long is taken as dead; its run is resumed elsewhere. */
    lockDurationMs: z.number().int().min(1_000).max(600_000).default(30_000),
    /** How long a started run may wait in the queue before `start` gives up on seeing it begin. */
    startTimeoutMs: z.number().int().min(1_000).max(86_400_000).default(600_000),
    /**
     * With `mode: bullmq`: the run's coordinator (in the worker that took the run) hands each task STEP
     * (atomize, plan, execute, aggregate, verify) to the step queue, so one run's tasks spread over workers.
     */
    steps: z.boolean().default(false),
    /** Tries of a step that failed with a retryable error (exponential backoff from `stepBackoffMs`). */
    stepAttempts: z.number().int().min(1).max(20).default(3),
    stepBackoffMs: z.number().int().min(0).max(600_000).default(1_000),
    /** How long a run waits for one step job to finish (queued and running) before the task fails. */
    stepTimeoutMs: z.number().int().min(1_000).max(86_400_000).default(600_000),
    /**
     * Model calls per provider (the model id's prefix, `openai`, `anthropic`…) shared by all workers: steps of
     * a listed provider go to a queue of their own with BullMQ's rate limiter (at most `max` jobs per `durationMs`).
     */
    rateLimits: z
      .record(
        z.string().regex(/^[a-z0-9-]+$/),
        z.object({ max: z.number().int().min(1), durationMs: z.number().int().min(1) }).strict(),
      )
      .default({}),
  })
  .strict();
