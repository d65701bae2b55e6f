// Everything one run's tasks share: config, models, the event sink, concurrency, the stopper, the resume state.
import type { CodeAgent } from '../../contracts/index.js';
import type { EngineRunConfig } from '../engine-config.js';
import type { EventSink } from '../events/event-sink.js';
import type { ModelCallScope } from '../modules/model-call.js';
import type { ResumeState } from '../projection/resume-state.js';
import type { StepDispatcher } from '../steps/step-dispatcher.js';
import type { RunStopper } from './run-stopper.js';

export interface RunContext {
  executionId: string;
  config: EngineRunConfig;
  sink: EventSink;
  stopper: RunStopper;
  modelScope: ModelCallScope;
  codeAgent: CodeAgent | undefined;
  /** The run's model id, put in PTC plans. */
  runModelId: string | undefined;
  /** Null for a fresh run. */
  resume: ResumeState | null;
  /** Who does the task steps: this process, or queue workers. */
  steps: StepDispatcher;
  /** Seq of this segment's execution-start or execution-resume (names its steps). */
  segment: number;
}

/** One task as the scheduler hands it to the runner. */
export interface TaskSpec {
  id: string;
  parentId: string | null;
  goal: string;
  depth: number;
  taskType: 'RETRIEVE' | 'THINK' | 'WRITE' | 'CODE';
  dependencies: string[];
  parentGoal: string | null;
}
