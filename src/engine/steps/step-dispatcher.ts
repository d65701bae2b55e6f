// Where a run's task steps are done: in this process (the default), or handed to workers (src/queue/).
import type { StepScope } from './perform-step.js';
import { performStep } from './perform-step.js';
import type { StepRequest, StepResult } from './step-request.js';

/**
 * Runs the steps of a run's tasks. The scheduler (task runner, sibling DAG, stopper) stays with the run; only
 * the steps go through this, so the engine sees one interface whichever process does the work.
 */
export interface StepDispatcher {
  /**
   * True when steps run elsewhere: their events are appended there, so the run learns their usage from the
   * returned result rather than from its own event sink.
   */
  readonly remote: boolean;
  /** Resolves with the step's output; rejects with its error (a RomaError), or the signal's reason on abort. */
  run(request: StepRequest, signal: AbortSignal, scope: StepScope): Promise<StepResult>;
}

/** Steps done right here, with the run's own models, semaphore and event sink. */
export const inProcessSteps: StepDispatcher = {
  remote: false,
  run: (request, signal, scope) => performStep(scope, request, signal),
};
