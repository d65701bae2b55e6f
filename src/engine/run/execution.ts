// Starts, runs and resumes an execution: the root task, budgets, cancellation, and the execution-start/end events.
import { hostname } from 'node:os';
import { EngineConfigSchema } from '../../config/sections/engine.js';
import type {
  ExecutionStatus,
  StopReason,
  StreamEvent,
  TaskError,
  TaskType,
  TokenUsage,
} from '../../contracts/index.js';
import { emptyUsage, parseWith, RomaError, toRomaError } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/execution-store.js';
import type { CodeAgent } from '../code-agent.js';
import type { EngineRunConfig } from '../engine-config.js';
import type { EventStreamOptions } from '../events/event-bus.js';
import { EventBus } from '../events/event-bus.js';
import { EventSink } from '../events/event-sink.js';
import type { ModelResolver } from '../model-resolver.js';
import type { ResumeState } from '../projection/resume-state.js';
import { foldResumeState } from '../projection/resume-state.js';
import { foldTotals } from '../projection/totals.js';
import { Semaphore } from '../scheduler/semaphore.js';
import type { StopCondition } from '../scheduler/stop-conditions.js';
import { stopConditionsFromConfig } from '../scheduler/stop-conditions.js';
import { watchForCancelRequest } from './cancel-watcher.js';
import { newExecutionId, ROOT_TASK_ID } from './execution-id.js';
import type { RunContext } from './run-context.js';
import { RunStopper } from './run-stopper.js';
import { solveTask } from './task-runner.js';

export interface EngineDependencies {
  store: ExecutionStore;
  models: ModelResolver;
  config: EngineRunConfig;
  /** Per model call: timeout and retries on 429/5xx (from `llm.timeoutMs`, `llm.maxRetries`). */
  llm?: { timeoutMs: number; maxRetries: number };
  /** Runs CODE tasks; without one they fail with NO_CODE_EXECUTOR. */
  codeAgent?: CodeAgent | undefined;
  /** Extra stop conditions, on top of the budgets in `engine.budgets`. */
  stopConditions?: StopCondition[];
  /** How often the run polls the store for `roma runs cancel`; 0 disables (default 500). */
  cancelPollIntervalMs?: number;
  now?: () => Date;
}

export interface RunObserver {
  /** Cancels the run (status CANCELLED); in-flight model calls are aborted. */
  signal?: AbortSignal;
  /** Every event, once stored, in order. */
  onEvent?: (event: StreamEvent) => void;
}

export interface SolveRequest extends RunObserver {
  goal: string;
  executionId?: string;
  /** The run's model; the registry's default when absent. */
  modelId?: string;
  /** Type of the root task (THINK by default). */
  taskType?: TaskType;
}

export interface ExecutionOutcome {
  executionId: string;
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  reason: StopReason | null;
  result: string | null;
  error: TaskError | null;
  /** Over the whole log, earlier attempts of a resumed run included. */
  usage: TokenUsage;
  nodeCount: number;
  /** Of this process's part of the run. */
  durationMs: number;
}

export interface ExecutionHandle {
  executionId: string;
  /** Live events from now until the run ends; subscribe right after start to see them all. */
  events(options?: EventStreamOptions): AsyncIterableIterator<StreamEvent>;
  cancel(message?: string): void;
  done: Promise<ExecutionOutcome>;
}

/** Options recorded in execution-start, so a resume runs with the same engine settings and model. */
interface RecordedOptions {
  engine: unknown;
  modelId: string | null;
  taskType: TaskType;
  pid: number;
  hostname: string;
}

interface PreparedRun {
  executionId: string;
  goal: string;
  taskType: TaskType;
  modelId: string | undefined;
  config: EngineRunConfig;
  resume: ResumeState | null;
  priorUsage: TokenUsage;
  open: (sink: EventSink) => Promise<number>;
}

function launch(
  deps: EngineDependencies,
  observer: RunObserver,
  prepare: () => Promise<PreparedRun>,
  executionId: string,
): ExecutionHandle {
  const bus = new EventBus();
  let cancelRequested: string | null = null;
  let stopperRef: RunStopper | null = null;
  const done = (async () => {
    try {
      const prepared = await prepare();
      return await runPrepared(deps, observer, prepared, bus, (stopper) => {
        stopperRef = stopper;
        if (cancelRequested !== null) stopper.cancel(cancelRequested);
      });
    } finally {
      bus.close();
    }
  })();
  return {
    executionId,
    events: (options) => bus.stream(options),
    cancel: (message = 'cancelled by request') => {
      cancelRequested = message;
      (stopperRef as RunStopper | null)?.cancel(message);
    },
    done,
  };
}

async function runPrepared(
  deps: EngineDependencies,
  observer: RunObserver,
  prepared: PreparedRun,
  bus: EventBus,
  onStopper: (stopper: RunStopper) => void,
): Promise<ExecutionOutcome> {
  const now = deps.now ?? (() => new Date());
  const sink = new EventSink(deps.store, prepared.executionId, bus, now);
  if (observer.onEvent) sink.observe(observer.onEvent);
  const engine = prepared.config.engine;
  const stopper = new RunStopper([...stopConditionsFromConfig(engine), ...(deps.stopConditions ?? [])], {
    usage: prepared.priorUsage,
    startedTasks: prepared.resume?.tasks.keys() ?? [],
  });
  onStopper(stopper);
  sink.observe((event) => {
    if (event.type === 'llm-call') {
      stopper.addUsage({
        inputTokens: event.inputTokens,
        outputTokens: event.outputTokens,
        cachedInputTokens: event.cachedInputTokens,
        costUsd: event.costUsd,
      });
    }
  });
  const startedAtMs = performance.now();
  const lastSeq = await prepared.open(sink);

  const onAbort = () => stopper.cancel(describeAbort(observer.signal?.reason));
  if (observer.signal?.aborted) onAbort();
  else observer.signal?.addEventListener('abort', onAbort, { once: true });
  const stopWatching = new AbortController();
  const wallTimer =
    engine.budgets.maxWallTimeMs === undefined
      ? undefined
      : setTimeout(() => stopper.check(), engine.budgets.maxWallTimeMs + 1);
  wallTimer?.unref?.();
  const pollMs = deps.cancelPollIntervalMs ?? 500;
  if (pollMs > 0) {
    watchForCancelRequest({
      store: deps.store,
      executionId: prepared.executionId,
      afterSeq: lastSeq,
      intervalMs: pollMs,
      onCancel: (message) => stopper.cancel(message),
      signal: stopWatching.signal,
    });
  }

  const run: RunContext = {
    executionId: prepared.executionId,
    config: prepared.config,
    sink,
    stopper,
    codeAgent: deps.codeAgent,
    runModelId: prepared.modelId,
    resume: prepared.resume,
    modelScope: {
      models: deps.models,
      runModelId: prepared.modelId,
      semaphore: new Semaphore(engine.maxConcurrency),
      sink,
      timeoutMs: deps.llm?.timeoutMs ?? 120_000,
      maxRetries: deps.llm?.maxRetries ?? 3,
      beforeCall: () => stopper.throwIfHalted(),
    },
  };

  try {
    const outcome = await solveTask(
      run,
      {
        id: ROOT_TASK_ID,
        parentId: null,
        goal: prepared.goal,
        depth: 0,
        taskType: prepared.taskType,
        dependencies: [],
        parentGoal: null,
      },
      [],
      stopper.signal,
    );
    const halt = stopper.halt;
    let status: ExecutionOutcome['status'];
    let reason: StopReason | null = null;
    let error: TaskError | null = null;
    if (outcome.status === 'COMPLETED') status = 'COMPLETED';
    else if (halt?.kind === 'stopped') {
      status = 'STOPPED';
      reason = halt.reason;
      error = { code: 'BUDGET_EXCEEDED', message: halt.message };
    } else if (halt?.kind === 'cancelled') {
      status = 'CANCELLED';
      reason = 'cancelled';
      error = { code: 'CANCELLED', message: halt.message };
    } else {
      status = 'FAILED';
      error = outcome.error;
    }
    const result = outcome.status === 'COMPLETED' ? outcome.result : null;
    const durationMs = performance.now() - startedAtMs;
    await sink.emit({
      type: 'execution-end',
      status,
      reason,
      result,
      error,
      usage: stopper.usage,
      nodeCount: stopper.nodeCount,
      durationMs,
    });
    return {
      executionId: prepared.executionId,
      status,
      reason,
      result,
      error,
      usage: stopper.usage,
      nodeCount: stopper.nodeCount,
      durationMs,
    };
  } catch (error) {
    // Only a broken store gets here (every task error becomes a task-end); try to close the log, then report.
    const failure = toRomaError(error, 'STORE_FAILED');
    await sink
      .emit({
        type: 'execution-end',
        status: 'FAILED',
        reason: null,
        result: null,
        error: { code: failure.code, message: failure.message },
        usage: stopper.usage,
        nodeCount: stopper.nodeCount,
        durationMs: performance.now() - startedAtMs,
      })
      .catch(() => undefined);
    throw failure;
  } finally {
    stopWatching.abort();
    if (wallTimer) clearTimeout(wallTimer);
    observer.signal?.removeEventListener('abort', onAbort);
  }
}

function describeAbort(reason: unknown): string {
  if (reason instanceof RomaError) return reason.message;
  if (reason instanceof Error && reason.name !== 'AbortError') return `cancelled: ${reason.message}`;
  return 'cancelled by request';
}

function recordedOptions(
  config: EngineRunConfig,
  modelId: string | undefined,
  taskType: TaskType,
): RecordedOptions {
  return {
    engine: config.engine,
    modelId: modelId ?? null,
    taskType,
    pid: process.pid,
    hostname: hostname(),
  };
}

/** Starts a new execution; the handle's `done` resolves with how it ended. */
export function startExecution(deps: EngineDependencies, request: SolveRequest): ExecutionHandle {
  const executionId = request.executionId ?? newExecutionId();
  const taskType = request.taskType ?? 'THINK';
  const modelId = request.modelId ?? deps.models.defaultModelId;
  return launch(
    deps,
    request,
    async () => {
      if (!request.goal.trim()) {
        throw new RomaError('VALIDATION_FAILED', 'goal must not be empty', { field: 'goal' });
      }
      await deps.store.createExecution({ id: executionId, goal: request.goal });
      return {
        executionId,
        goal: request.goal,
        taskType,
        modelId,
        config: deps.config,
        resume: null,
        priorUsage: emptyUsage(),
        open: async (sink) =>
          (
            await sink.emit({
              type: 'execution-start',
              goal: request.goal,
              rootTaskId: ROOT_TASK_ID,
              options: { ...recordedOptions(deps.config, modelId, taskType) },
            })
          ).seq,
      };
    },
    executionId,
  );
}

/** Runs a new execution to its end. */
export function solve(deps: EngineDependencies, request: SolveRequest): Promise<ExecutionOutcome> {
  return startExecution(deps, request).done;
}

export interface ResumeOptions extends RunObserver {
  /** Resume even when the log says another live process on this host still runs it. */
  force?: boolean;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Continues an execution from its log: finished tasks keep their results (no model call is repeated),
 * recorded atomizer and planner decisions of unfinished tasks are reused, tasks in flight are redone.
 * Runs with the engine settings and model recorded at its start.
 */
export function startResume(
  store: ExecutionStore,
  executionId: string,
  deps: Omit<EngineDependencies, 'store'>,
  options: ResumeOptions = {},
): ExecutionHandle {
  const fullDeps: EngineDependencies = { ...deps, store };
  return launch(
    fullDeps,
    options,
    async () => {
      const events = await store.readEvents(executionId);
      const state = foldResumeState(events);
      if (!state) {
        throw new RomaError('NOT_FOUND', `no execution ${executionId} in the store`, {
          fix: 'list runs with `roma runs list`',
        });
      }
      if (state.ended?.status === 'COMPLETED') {
        throw new RomaError('CONFLICT', `execution ${executionId} already completed; nothing to resume`);
      }
      const pid = typeof state.options.pid === 'number' ? state.options.pid : null;
      if (
        !options.force &&
        state.ended === null &&
        pid !== null &&
        pid !== process.pid &&
        state.options.hostname === hostname() &&
        processAlive(pid)
      ) {
        throw new RomaError('CONFLICT', `execution ${executionId} is still running in process ${pid}`, {
          fix: `cancel it first (roma runs cancel ${executionId}) or wait for it to end`,
        });
      }
      const recordedEngine = parseWith(EngineConfigSchema, state.options.engine ?? {}, 'options.engine');
      // The recorded settings shape the tree (depth, subtasks, prompts, models); budgets and concurrency are
      // the resumer's, so a run stopped by a budget can be continued with a larger one.
      const config: EngineRunConfig = {
        ...deps.config,
        engine: recordedEngine.ok
          ? {
              ...recordedEngine.value,
              budgets: deps.config.engine.budgets,
              maxConcurrency: deps.config.engine.maxConcurrency,
            }
          : deps.config.engine,
      };
      const modelId =
        typeof state.options.modelId === 'string' ? state.options.modelId : deps.models.defaultModelId;
      const taskType = (
        typeof state.options.taskType === 'string' ? state.options.taskType : 'THINK'
      ) as TaskType;
      const totals = foldTotals(events);
      return {
        executionId,
        goal: state.goal,
        taskType,
        modelId,
        config,
        resume: state,
        priorUsage: totals.usage,
        open: async (sink) => (await sink.emit({ type: 'execution-resume', fromSeq: state.lastSeq })).seq,
      };
    },
    executionId,
  );
}

export function resumeExecution(
  store: ExecutionStore,
  executionId: string,
  deps: Omit<EngineDependencies, 'store'>,
  options: ResumeOptions = {},
): Promise<ExecutionOutcome> {
  return startResume(store, executionId, deps, options).done;
}
