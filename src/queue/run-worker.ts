// `roma worker`: takes run jobs from the queue and runs them through this process's runtime; a run whose worker
// died is resumed from its log by the worker BullMQ hands the stalled job to.
import { hostname } from 'node:os';
import { type Job, Worker } from 'bullmq';
import type { EngineRunConfig } from '../engine/index.js';
import type { Runtime } from '../runtime/index.js';
import { RUN_QUEUE_NAME, RunJobSchema } from './run-job.js';
import { bullConnection } from './run-queue.js';

export interface RunWorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
}

export interface RunWorker {
  /** Runs taken so far by this worker. */
  readonly taken: number;
  /** Stalled jobs (their worker died) this worker's checker has seen handed on. */
  readonly stalledSeen: number;
  /**
   * Stops taking jobs and waits up to `waitMs` for the runs in flight to end. Past it, returns without ending
   * them: their jobs stall and another worker resumes them from the log (nothing finished is redone).
   */
  close(waitMs: number): Promise<'drained' | 'handed-back'>;
}

export function startRunWorker(runtime: Runtime, options: RunWorkerOptions): RunWorker {
  const connection = bullConnection(options.redisUrl);
  let taken = 0;
  let stalledSeen = 0;
  const logger = runtime.logger;
  const process = async (job: Job): Promise<{ status: string }> => {
    const data = RunJobSchema.parse(job.data);
    taken += 1;
    const existing = await runtime.store.getExecution(data.executionId);
    // A start job delivered again (its worker died) finds the run begun: it is resumed, not started twice.
    if (data.kind === 'start' && existing && existing.status !== 'RUNNING')
      return { status: existing.status };
    const log = logger.child({ executionId: data.executionId, jobId: job.id, kind: data.kind });
    log.info(
      { worker: `${hostname()}:${globalThis.process.pid}` },
      existing ? 'resuming run' : 'starting run',
    );
    const handle =
      data.kind === 'start' && !existing
        ? runtime.runs.start(
            {
              goal: data.goal,
              executionId: data.executionId,
              ...(data.modelId ? { modelId: data.modelId } : {}),
              ...(data.metadata ? { metadata: data.metadata } : {}),
            },
            data.engineConfig ? { config: data.engineConfig as unknown as EngineRunConfig } : {},
          )
        : runtime.runs.resume(data.executionId);
    const outcome = await handle.done;
    log.info(
      { status: outcome.status, tokens: outcome.usage.inputTokens + outcome.usage.outputTokens },
      'run ended',
    );
    return { status: outcome.status };
  };
  const worker = new Worker(RUN_QUEUE_NAME, process, {
    connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: Math.max(1_000, Math.floor(options.lockDurationMs / 2)),
    // A run whose worker died is handed on a few times (each time resumed from its log) before it is failed.
    maxStalledCount: 3,
  });
  worker.on('failed', (job, error) => {
    logger.warn({ jobId: job?.id, err: error }, 'run job failed');
  });
  worker.on('stalled', (jobId) => {
    stalledSeen += 1;
    logger.warn({ jobId }, 'a worker died holding this run; it goes to another worker, which resumes it');
  });
  worker.on('error', (error) => logger.warn({ err: error }, 'queue connection error'));
  return {
    get taken() {
      return taken;
    },
    get stalledSeen() {
      return stalledSeen;
    },
    close: async (waitMs) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const drained = worker.close().then(() => 'drained' as const);
      const outcome = await Promise.race([
        drained,
        new Promise<'handed-back'>((resolve) => {
          timer = setTimeout(() => resolve('handed-back'), waitMs);
        }),
      ]);
      clearTimeout(timer);
      if (outcome === 'drained') connection.disconnect();
      return outcome;
    },
  };
}
