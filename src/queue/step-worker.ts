// `roma worker`'s step side: takes task-step jobs (from every step queue, rate-limited per provider by BullMQ),
// answers one already in the log from there, and aborts one whose run asks it to.
import { hostname } from 'node:os';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { CodeAgent, ModelResolver } from '../contracts/index.js';
import { emptyUsage, RomaError, toRomaError } from '../contracts/index.js';
import type { EngineRunConfig, StepRequest } from '../engine/index.js';
import { runRemoteStep, Semaphore, StepRequestSchema } from '../engine/index.js';
import type { Logger } from '../logging/index.js';
import type { ExecutionStore } from '../store/index.js';
import { type BudgetLimits, createBudgetLedger } from './budget-ledger.js';
import { bullConnection } from './run-queue.js';
import {
  encodeStepFailure,
  STEP_QUEUE_NAME,
  type StepDoneMessage,
  type StepJobResult,
  type StepRateLimits,
  stepCancelChannel,
  stepQueueNames,
  stepResultChannel,
  stepStalledRecoveriesKey,
} from './step-job.js';

export interface StepWorkerDependencies {
  store: ExecutionStore;
  models: ModelResolver;
  config: EngineRunConfig;
  codeAgent: CodeAgent | undefined;
  logger: Logger;
}

export interface StepWorkerOptions {
  redisUrl: string;
  prefix: string;
  /** Steps at once, per step queue. */
  concurrency: number;
  lockDurationMs: number;
  rateLimits: StepRateLimits;
  /** How long a budget reservation outlives a worker that died mid-call (longer than any model call). */
  budgetLeaseMs: number;
}

export interface StepWorker {
  /** Step jobs this worker began (a redelivered one counts again). */
  readonly taken: number;
  /** Step jobs that failed here (a retryable failure that is retried counts too). */
  readonly failed: number;
  /** Step jobs answered from the log (done before; not redone). */
  readonly fromLog: number;
  /** Stalled step jobs (their worker died) this worker's checker has handed on. */
  readonly stalledSeen: number;
  /** Stops taking steps; waits up to `waitMs` for those in flight, then leaves them to stall and be redone. */
  close(waitMs: number): Promise<'drained' | 'handed-back'>;
}

export function startStepWorker(deps: StepWorkerDependencies, options: StepWorkerOptions): StepWorker {
  const connection = bullConnection(options.redisUrl);
  const subscriber = bullConnection(options.redisUrl);
  const worker = `${hostname()}:${process.pid}`;
  const semaphore = new Semaphore(Math.max(options.concurrency, deps.config.engine.maxConcurrency));
  const counters = { taken: 0, failed: 0, fromLog: 0, stalledSeen: 0 };
  const logger = deps.logger;
  const ledger = createBudgetLedger({ connection, prefix: options.prefix, leaseMs: options.budgetLeaseMs });
  /** The run's budget over every worker, reserved before each model call; none without budgets. */
  const reserveFor = (request: StepRequest, signal: AbortSignal) => {
    const budgets = (request.engine as { budgets?: BudgetLimits }).budgets ?? {};
    if (budgets.maxTokens === undefined && budgets.maxCostUsd === undefined) return {};
    const limits = { maxTokens: budgets.maxTokens, maxCostUsd: budgets.maxCostUsd };
    return {
      reserveCall: () =>
        ledger.reserve({
          executionId: request.executionId,
          segment: request.segment,
          limits,
          spentBefore: async () =>
            (await deps.store.getExecution(request.executionId))?.usage ?? emptyUsage(),
          signal,
        }),
    };
  };

  const processStep = async (job: Job, _token?: string, signal?: AbortSignal): Promise<StepJobResult> => {
    counters.taken += 1;
    const parsed = StepRequestSchema.safeParse(job.data);
    if (!parsed.success) {
      counters.failed += 1;
      throw new UnrecoverableError(
        encodeStepFailure(new RomaError('VALIDATION_FAILED', `malformed step job ${job.id}`)),
      );
    }
    const request = parsed.data;
    const stepSignal = signal ?? new AbortController().signal;
    try {
      const result = await runRemoteStep(
        {
          store: deps.store,
          models: deps.models,
          config: deps.config,
          codeAgent: deps.codeAgent,
          semaphore,
          worker,
        },
        request,
        stepSignal,
        {
          // Delivered before (a retry, a dead worker's job) or asked again by a resumed run: the log may have it.
          checkLog: request.resumed || job.attemptsMade > 0 || job.stalledCounter > 0,
          ...reserveFor(request, stepSignal),
        },
      );
      if (result.fromLog) counters.fromLog += 1;
      return {
        output: result.output as Record<string, unknown>,
        usage: result.usage,
        worker,
        fromLog: result.fromLog,
      };
    } catch (error) {
      counters.failed += 1;
      const failure = stepSignal.aborted
        ? new RomaError(
            'CANCELLED',
            `step ${request.step} of task ${request.taskId} was cancelled by its run`,
          )
        : toRomaError(error, 'TASK_FAILED');
      // Retryable (a model 429 or 5xx, a store blip): BullMQ tries again after a backoff. Anything else fails now.
      if (failure.retryable) throw new Error(encodeStepFailure(failure));
      throw new UnrecoverableError(encodeStepFailure(failure));
    }
  };

  /** Tells the coordinators of the job's run (subscribed to it, see step-results.ts) that it finished for good. */
  const announce = (job: Job | undefined, outcome: Omit<StepDoneMessage, 'jobId'>) => {
    const executionId = (job?.data as { executionId?: unknown } | undefined)?.executionId;
    if (job?.id === undefined || typeof executionId !== 'string') return;
    const message: StepDoneMessage = { jobId: job.id, ...outcome };
    connection
      .publish(stepResultChannel(options.prefix, executionId), JSON.stringify(message))
      .catch((error: unknown) => {
        // Its coordinator finds the outcome in the job's state a little later.
        logger.warn({ err: error, jobId: job.id }, 'could not announce a finished step');
      });
  };

  const workers = stepQueueNames(options.rateLimits).map((name) => {
    const provider = name === STEP_QUEUE_NAME ? null : name.slice(STEP_QUEUE_NAME.length + 1);
    const limit = provider === null ? undefined : options.rateLimits[provider];
    const stepWorker = new Worker(name, processStep, {
      // Recorded on each job as `processedBy`: which worker holds a step.
      name: worker,
      connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: Math.max(1_000, Math.floor(options.lockDurationMs / 2)),
      maxStalledCount: 3,
      // BullMQ keeps the limiter in Redis: every worker of this provider's queue shares it.
      ...(limit ? { limiter: { max: limit.max, duration: limit.durationMs } } : {}),
    });
    stepWorker.on('stalled', (jobId) => {
      counters.stalledSeen += 1;
      // The fleet's count, for the API's /metrics: each stall is found by one worker's checker.
      connection.incr(stepStalledRecoveriesKey(options.prefix)).catch((error: unknown) => {
        logger.warn({ err: error }, 'could not count a stalled step');
      });
      logger.warn({ jobId }, 'a worker died holding this step; another worker redoes it');
    });
    stepWorker.on('error', (error) => logger.warn({ err: error }, 'step queue connection error'));
    // Emitted once the job is stored as completed or failed, so a coordinator that hears it and one that reads the
    // job's state agree.
    stepWorker.on('completed', (job, result) => announce(job, { result }));
    stepWorker.on('failed', (job, error) => {
      // A failure that will be retried is not the end of the step (BullMQ sets finishedOn only on the last one).
      if (job?.finishedOn !== undefined) announce(job, { failure: error.message });
    });
    return stepWorker;
  });

  const channel = stepCancelChannel(options.prefix);
  subscriber.on('message', (from: string, jobId: string) => {
    if (from !== channel) return;
    for (const stepWorker of workers) stepWorker.cancelJob(jobId, 'cancelled by its run');
  });
  subscriber.subscribe(channel).catch((error: unknown) => {
    logger.warn({ err: error }, 'could not subscribe to step cancellations');
  });

  return {
    get taken() {
      return counters.taken;
    },
    get failed() {
      return counters.failed;
    },
    get fromLog() {
      return counters.fromLog;
    },
    get stalledSeen() {
      return counters.stalledSeen;
    },
    close: async (waitMs) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const drained = Promise.all(workers.map((stepWorker) => stepWorker.close())).then(
        () => 'drained' as const,
      );
      const outcome = await Promise.race([
        drained,
        new Promise<'handed-back'>((resolve) => {
          timer = setTimeout(() => resolve('handed-back'), waitMs);
        }),
      ]);
      clearTimeout(timer);
      subscriber.disconnect();
      if (outcome === 'drained') connection.disconnect();
      return outcome;
    },
  };
}
