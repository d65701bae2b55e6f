// Starts, resumes and awaits executions: the engine's entry points.
import { hostname } from 'node:os';
import { EngineConfigSchema } from '../../config/sections/engine.js';
import type { TaskType } from '../../contracts/index.js';
import { emptyUsage, parseWith, RomaError } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/execution-store.js';
import { isThisProcess, RUNNER_ID, readRunnerLiveness, runnerOf } from '../control/runner-liveness.js';
import type { EngineRunConfig } from '../engine-config.js';
import { foldResumeState } from '../projection/resume-state.js';
import { foldTotals } from '../projection/totals.js';
import type {
  EngineDependencies,
  ExecutionHandle,
  ExecutionOutcome,
  ResumeOptions,
  SolveRequest,
} from './engine-types.js';
import { newExecutionId, ROOT_TASK_ID } from './execution-id.js';
import { launch } from './run-loop.js';

/** Options recorded in execution-start, so a resume runs with the same engine settings and model. */
interface RecordedOptions {
  engine: unknown;
  modelId: string | null;
  taskType: TaskType;
  pid: number;
  hostname: string;
  /** The incarnation of that process (see RUNNER_ID): a pid is reused, this is not. */
  runnerId: string;
  /** Labels the front end keeps with the run (who started it: the API key's tenant, a ticket…). */
  metadata?: Record<string, string>;
}

function recordedOptions(
  config: EngineRunConfig,
  modelId: string | undefined,
  taskType: TaskType,
  metadata: Record<string, string> | undefined,
): RecordedOptions {
  return {
    engine: config.engine,
    modelId: modelId ?? null,
    taskType,
    pid: process.pid,
    hostname: hostname(),
    runnerId: RUNNER_ID,
    ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}),
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
              options: { ...recordedOptions(deps.config, modelId, taskType, request.metadata) },
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
      const runner = runnerOf(state);
      if (
        !options.force &&
        state.ended === null &&
        runner !== null &&
        !isThisProcess(runner) &&
        (await readRunnerLiveness(store, executionId, runner)) === 'alive'
      ) {
        throw new RomaError(
          'CONFLICT',
          `execution ${executionId} is still running in process ${runner.pid}${runner.hostname === hostname() ? '' : ` on ${runner.hostname ?? 'another host'}`}`,
          {
            fix: `cancel it first (roma runs cancel ${executionId}) or wait for it to end`,
          },
        );
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
        // Appended only if the log is still the one checked above: of two resumers, one takes the run over and
        // the other gets CONFLICT before it runs anything.
        open: async (sink) =>
          (
            await sink.emit(
              {
                type: 'execution-resume',
                fromSeq: state.lastSeq,
                pid: process.pid,
                hostname: hostname(),
                runnerId: RUNNER_ID,
              },
              { ifLastSeq: events.at(-1)?.seq ?? 0 },
            )
          ).seq,
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
