// Hands one step of a task to the run's step dispatcher and books its usage on the task (and, when remote, the run).
import type { TaskStep } from '../../contracts/index.js';
import { addUsage, RomaError } from '../../contracts/index.js';
import type { StepOutputOf, StepRequest } from '../steps/step-request.js';
import type { RunContext } from './run-context.js';
import type { TaskAttempt } from './task-attempt.js';

export async function runStep<S extends TaskStep>(
  run: RunContext,
  attempt: TaskAttempt,
  step: S,
  round: number,
  input: StepRequest['input'] = {},
): Promise<StepOutputOf<S>> {
  // A step handed to a worker appends to the same log: what this run recorded goes first. A step done here
  // waits for it before its first external effect instead (see model-call.ts), so the commit overlaps its work.
  const remote = run.steps.remote;
  if (remote) await run.sink.durable();
  run.stopper.throwIfHalted();
  // What the worker stores for this task from here on is its step's (this run records nothing for it meanwhile).
  const relayAfterSeq = run.sink.lastStoredSeq;
  const { spec } = attempt;
  const request: StepRequest = {
    executionId: run.executionId,
    taskId: spec.id,
    step,
    attempt: round,
    segment: run.segment,
    resumed: run.resume !== null,
    ...(run.runModelId ? { runModelId: run.runModelId } : {}),
    engine: run.config.engine as unknown as Record<string, unknown>,
    task: { goal: spec.goal, taskType: spec.taskType, depth: spec.depth, parentGoal: spec.parentGoal },
    context: attempt.context,
    input,
  };
  let result: Awaited<ReturnType<typeof run.steps.run>>;
  try {
    result = await run.steps.run(request, attempt.signal, {
      config: run.config,
      modelScope: run.modelScope,
      codeAgent: run.codeAgent,
      sink: run.sink,
    });
  } catch (error) {
    // Workers share the run's budget ledger: one that found it spent stops the run, as this process's stopper would.
    const reason = error instanceof RomaError ? error.details?.reason : undefined;
    if (
      error instanceof RomaError &&
      error.code === 'BUDGET_EXCEEDED' &&
      (reason === 'max-tokens' || reason === 'max-cost')
    )
      run.stopper.stop({ reason, message: error.message.replace(/^run stopped: /, '') });
    throw error;
  } finally {
    // Whether the step ended well or not, before this run records anything more for the task.
    if (remote) await relayWorkerEvents(run, spec.id, relayAfterSeq);
  }
  attempt.usage = addUsage(attempt.usage, result.usage);
  // In process, the run's sink saw each llm-call and counted it; a remote step's calls were stored elsewhere.
  if (remote) run.stopper.addUsage(result.usage);
  return result.output as StepOutputOf<S>;
}

/** The worker's events of the step reach the run's observers and live watchers; a failed read costs only that. */
async function relayWorkerEvents(run: RunContext, taskId: string, afterSeq: number): Promise<void> {
  try {
    await run.sink.relayStored(taskId, afterSeq);
  } catch {
    // The events are in the store: followers of the log (the API, `roma runs watch`) still see them.
  }
}
