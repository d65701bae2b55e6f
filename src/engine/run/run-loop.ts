// Runs a prepared execution: root task, budgets and wall-time timer, cancellation (signal, store request), execution-end.
import type { StopReason, TaskError, TaskType, TokenUsage } from '../../contracts/index.js';
import { RomaError, toRomaError } from '../../contracts/index.js';
import type { EngineRunConfig } from '../engine-config.js';
import { EventBus } from '../events/event-bus.js';
import { EventSink } from '../events/event-sink.js';
import type { ResumeState } from '../projection/resume-state.js';
import { Semaphore } from '../scheduler/semaphore.js';
import { stopConditionsFromConfig } from '../scheduler/stop-conditions.js';
import { inProcessSteps } from '../steps/step-dispatcher.js';
import { watchForCancelRequest } from './cancel-watcher.js';
import type { EngineDependencies, ExecutionHandle, ExecutionOutcome, RunObserver } from './engine-types.js';
import { ROOT_TASK_ID } from './execution-id.js';
import type { RunContext } from './run-context.js';
import { RunStopper } from './run-stopper.js';
import { DEFAULT_RUNNER_BEAT_INTERVAL_MS, startRunnerBeat } from './runner-beat.js';
import { solveTask } from './task-runner.js';

/** Waits before the extra tries of a run's execution-end after a store failure. */
const END_RETRY_DELAYS_MS = [1_000, 3_000];

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

export function launch(
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
  if (observer.onEvent) sink.observe(observer.onEvent, { relayed: true });
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
  // After open: the log names this process as the runner before its first beat says it lives.
  const stopBeating = startRunnerBeat(
    deps.store,
    prepared.executionId,
    deps.runnerBeatIntervalMs ?? DEFAULT_RUNNER_BEAT_INTERVAL_MS,
  );

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
      storedThrough: () => sink.lastStoredSeq,
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
    steps: deps.steps ?? inProcessSteps,
    segment: lastSeq,
    modelScope: {
      models: deps.models,
      runModelId: prepared.modelId,
      semaphore: new Semaphore(engine.maxConcurrency),
      sink,
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
    // The tasks' recorded events are durable before anything else happens; a lost one fails the run below.
    await sink.durable();
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
    await recordRunArtifacts(deps, sink);
    // The end event and the returned outcome carry the same figures.
    const ending = {
      status,
      reason,
      result,
      error,
      usage: stopper.usage,
      nodeCount: stopper.nodeCount,
      durationMs: performance.now() - startedAtMs,
    };
    await sink.emit({ type: 'execution-end', ...ending });
    return { executionId: prepared.executionId, ...ending };
  } catch (error) {
    // Only a broken store gets here (every task error becomes a task-end); try to close the log, then report.
    const failure = toRomaError(error, 'STORE_FAILED');
    // The store spent its own retries on the append that failed; the end gets a few more over a longer span
    // (bounded: END_RETRY_DELAYS_MS), so a store back within it records why the run ended. Either way the
    // run can be resumed: ended FAILED, or left RUNNING by a runner that is gone.
    for (const delayMs of [0, ...END_RETRY_DELAYS_MS]) {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const settled = await sink
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
        .then(
          () => true,
          (endError: unknown) => !toRomaError(endError, 'STORE_FAILED').retryable,
        );
      if (settled) break;
    }
    throw failure;
  } finally {
    stopWatching.abort();
    stopBeating();
    if (wallTimer) clearTimeout(wallTimer);
    observer.signal?.removeEventListener('abort', onAbort);
  }
}

/** Run-level artifacts from `deps.runArtifacts`; a failing hook costs a warning, not the run. */
async function recordRunArtifacts(deps: EngineDependencies, sink: EventSink): Promise<void> {
  if (!deps.runArtifacts) return;
  let artifacts: Awaited<ReturnType<NonNullable<EngineDependencies['runArtifacts']>>>;
  try {
    artifacts = await deps.runArtifacts(sink.executionId);
  } catch (error) {
    const failure = toRomaError(error, 'INTERNAL');
    await sink.emit({
      type: 'warning',
      taskId: null,
      code: 'RUN_ARTIFACTS_FAILED',
      message: `the run's artifacts could not be stored: ${failure.message}`.slice(0, 500),
    });
    return;
  }
  for (const artifact of artifacts) await sink.emit({ type: 'artifact-created', taskId: null, artifact });
}

function describeAbort(reason: unknown): string {
  if (reason instanceof RomaError) return reason.message;
  if (reason instanceof Error && reason.name !== 'AbortError') return `cancelled: ${reason.message}`;
  return 'cancelled by request';
}
