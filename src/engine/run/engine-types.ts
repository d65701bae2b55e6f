// The engine's public shapes: what a run needs (dependencies), what it is asked, and how it ends.
import type {
  Artifact,
  CodeAgent,
  ExecutionStatus,
  ModelResolver,
  StopReason,
  StreamEvent,
  TaskError,
  TaskType,
  TokenUsage,
} from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/execution-store.js';
import type { EngineRunConfig } from '../engine-config.js';
import type { EventStreamOptions } from '../events/event-bus.js';
import type { StopCondition } from '../scheduler/stop-conditions.js';
import type { StepDispatcher } from '../steps/step-dispatcher.js';

export interface EngineDependencies {
  store: ExecutionStore;
  models: ModelResolver;
  config: EngineRunConfig;
  /** Runs CODE tasks; without one they fail with NO_CODE_EXECUTOR. */
  codeAgent?: CodeAgent | undefined;
  /** Extra stop conditions, on top of the budgets in `engine.budgets`. */
  stopConditions?: StopCondition[];
  /** How often the run polls the store for `roma runs cancel`; 0 disables (default 500). */
  cancelPollIntervalMs?: number;
  /** How often the runner records that it still runs the run, for other hosts' liveness checks; 0 never (default 10 s). */
  runnerBeatIntervalMs?: number;
  now?: () => Date;
  /** Who does the task steps (atomize, plan, execute, aggregate, verify); this process by default. */
  steps?: StepDispatcher;
  /**
   * Called once as the run ends, whatever the outcome, just before `execution-end`: the artifacts it returns
   * belong to the whole run and are recorded as `artifact-created` with `taskId` null (the CLI stores the
   * LLM-cache entries the run used, for `roma cache warm --from-run`). A failure is recorded as a warning,
   * never fails the run.
   */
  runArtifacts?: (executionId: string) => Promise<Artifact[]>;
}

export interface RunObserver {
  /** Cancels the run (status CANCELLED); in-flight model calls are aborted. */
  signal?: AbortSignal;
  /**
   * Every event, once stored: in seq order in process; with queued steps, a worker's events of a step come when
   * the step is over (each step's in order), see docs/ARCHITECTURE.md "Event order".
   */
  onEvent?: (event: StreamEvent) => void;
}

export interface SolveRequest extends RunObserver {
  goal: string;
  executionId?: string;
  /** The run's model; the registry's default when absent. */
  modelId?: string;
  /** Type of the root task (THINK by default). */
  taskType?: TaskType;
  /** Labels recorded with the run in `execution-start` (`options.metadata`): its tenant, a ticket… */
  metadata?: Record<string, string>;
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

export interface ResumeOptions extends RunObserver {
  /** Resume even when the log says another live process on this host still runs it. */
  force?: boolean;
}
