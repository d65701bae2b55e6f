// Run control: start, resume, cancel, follow and liveness of runs, for every front end, over one set of deps.
import type { ExecutionSummary, StreamEvent } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';
import type { ListExecutionsOptions } from '../../store/execution-store.js';
import type {
  EngineDependencies,
  ExecutionHandle,
  ResumeOptions,
  SolveRequest,
} from '../run/engine-types.js';
import { startExecution, startResume } from '../run/execution.js';
import { newExecutionId } from '../run/execution-id.js';
import type { CancelRunOptions, CancelRunResult } from './cancel-run.js';
import { cancelStoredRun } from './cancel-run.js';
import type { FollowRunOptions, RunFollow } from './follow-run.js';
import { followRun } from './follow-run.js';
import type { RunLiveness } from './runner-liveness.js';
import { RUNNER_ID, readRunLiveness } from './runner-liveness.js';

/** Sees every event a run stores through this run control, once stored; errors are reported, never thrown. */
export type RunEventObserver = (event: StreamEvent) => void | Promise<void>;

interface RunControlOptions {
  /** What every run gets (store, models, code agent…); `start`/`resume` may add to it per run. */
  deps: EngineDependencies;
  /** Extra subscribers to every event of every run (tracking: MLflow, OpenTelemetry). */
  observers?: readonly RunEventObserver[];
  /** Where an observer's failure goes (default: dropped). */
  onObserverError?: (error: unknown, event: StreamEvent) => void;
  /**
   * Runs a run's start inside a per-execution scope (the runtime tags every model call of the run, code
   * agent's included, with its execution id this way).
   */
  scope?: <T>(executionId: string, start: () => T) => T;
}

export interface RunControl {
  /** Starts a new run; the handle's `done` resolves with how it ended. */
  start(request: SolveRequest, extra?: Partial<EngineDependencies>): ExecutionHandle;
  /**
   * Continues a run from its log. CONFLICT when it already completed, when this process runs it now, or when a
   * live process on this host runs it (unless `force`).
   */
  resume(executionId: string, options?: ResumeOptions, extra?: Partial<EngineDependencies>): ExecutionHandle;
  /**
   * Cancels a run: in this process at once when it runs here; otherwise records the request for the process
   * running it and waits up to `waitMs`; ends it here when nobody runs it.
   */
  cancel(executionId: string, options?: CancelRunOptions): Promise<CancelRunResult>;
  /** Its stored events after `afterSeq`, in order, live, until the run's last `execution-end`. */
  follow(executionId: string, options?: FollowRunOptions): RunFollow;
  /** Stored status and whether the process recorded as running it still lives. NOT_FOUND when unknown. */
  liveness(executionId: string): Promise<RunLiveness>;
  get(executionId: string): Promise<ExecutionSummary | null>;
  list(options?: ListExecutionsOptions): Promise<ExecutionSummary[]>;
  /** Runs this process is running now. */
  active(): ReadonlyMap<string, ExecutionHandle>;
  /** Cancels the runs of this process and waits (up to `waitMs`, default 10 s) for them to end. */
  stopAll(options?: { reason?: string; waitMs?: number }): Promise<void>;
}

export function createRunControl(options: RunControlOptions): RunControl {
  const { deps } = options;
  const observers = options.observers ?? [];
  const active = new Map<string, ExecutionHandle>();
  const scope = options.scope ?? ((_executionId, start) => start());

  const notify = (event: StreamEvent) => {
    for (const observer of observers) {
      try {
        const result = observer(event);
        if (result instanceof Promise) result.catch((error) => options.onObserverError?.(error, event));
      } catch (error) {
        options.onObserverError?.(error, event);
      }
    }
  };
  const withObservers = <T extends { onEvent?: (event: StreamEvent) => void }>(request: T): T => {
    if (observers.length === 0) return request;
    const own = request.onEvent;
    return {
      ...request,
      onEvent: (event: StreamEvent) => {
        own?.(event);
        notify(event);
      },
    };
  };
  const track = (handle: ExecutionHandle): ExecutionHandle => {
    active.set(handle.executionId, handle);
    const forget = () => {
      if (active.get(handle.executionId) === handle) active.delete(handle.executionId);
    };
    handle.done.then(forget, forget);
    return handle;
  };

  return {
    start: (request, extra = {}) => {
      const executionId = request.executionId ?? newExecutionId();
      return track(
        scope(executionId, () =>
          startExecution({ ...deps, ...extra }, withObservers({ ...request, executionId })),
        ),
      );
    },
    resume: (executionId, resumeOptions = {}, extra = {}) => {
      if (active.has(executionId)) {
        throw new RomaError('CONFLICT', `run ${executionId} is running in this process`, {
          field: 'executionId',
          fix: 'cancel it first, or wait for it to end',
        });
      }
      const { store, ...rest } = { ...deps, ...extra };
      return track(
        scope(executionId, () => startResume(store, executionId, rest, withObservers(resumeOptions))),
      );
    },
    cancel: async (executionId, cancelOptions = {}) => {
      const handle = active.get(executionId);
      if (handle) {
        handle.cancel(cancelOptions.reason ? `cancelled by request: ${cancelOptions.reason}` : undefined);
        const waitMs = cancelOptions.waitMs ?? 5_000;
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          handle.done.catch(() => null),
          new Promise<null>((resolve) => {
            timer = setTimeout(() => resolve(null), waitMs);
          }),
        ]);
        clearTimeout(timer);
        const summary = await deps.store.getExecution(executionId);
        const status = outcome?.status ?? summary?.status ?? 'RUNNING';
        return {
          executionId,
          outcome: status === 'RUNNING' ? 'requested' : 'cancelled',
          status,
          runner: { pid: process.pid, hostname: null, runnerId: RUNNER_ID },
          message:
            status === 'RUNNING'
              ? `cancel requested; run ${executionId} has not ended yet`
              : `run ${executionId} cancelled (${status})`,
        };
      }
      return cancelStoredRun(deps.store, executionId, {
        ...cancelOptions,
        onEvent: (event) => {
          cancelOptions.onEvent?.(event);
          notify(event);
        },
      });
    },
    follow: (executionId, followOptions) => followRun(deps.store, executionId, followOptions),
    liveness: (executionId) => readRunLiveness(deps.store, executionId),
    get: (executionId) => deps.store.getExecution(executionId),
    list: (listOptions) => deps.store.listExecutions(listOptions),
    active: () => active,
    stopAll: async (stopOptions = {}) => {
      const handles = [...active.values()];
      for (const handle of handles) handle.cancel(stopOptions.reason ?? 'the process is shutting down');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(handles.map((handle) => handle.done)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, stopOptions.waitMs ?? 10_000);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
