// A queued run: start a new execution or resume one, with what the worker needs to run it as its starter asked.
import { z } from 'zod';

export const RUN_QUEUE_NAME = 'roma-runs';

export const RunJobSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('start'),
      executionId: z.string().min(1),
      goal: z.string().min(1),
      modelId: z.string().min(1).optional(),
      metadata: z.record(z.string(), z.string()).optional(),
      /** The run's engine settings (the starter's per-run options applied); the worker's own when absent. */
      engineConfig: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('resume'), executionId: z.string().min(1) }).strict(),
]);
export type RunJob = z.output<typeof RunJobSchema>;

/** One start job per execution: enqueuing the same start twice is a no-op (BullMQ dedupes by job id). */
export function startJobId(executionId: string): string {
  return `start-${executionId}`;
}
