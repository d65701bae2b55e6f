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
  })
  .strict();
export type QueueConfig = z.output<typeof QueueConfigSchema>;
