// Hands one step of a task to the run's step dispatcher and books its usage on the task (and, when remote, the run).
import type { TaskStep } from '../../contracts/index.js';
import { addUsage } from '../../contracts/index.js';
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
  run.stopper.throwIfHalted();
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
  const result = await run.steps.run(request, attempt.signal, {
    config: run.config,
    modelScope: run.modelScope,
    codeAgent: run.codeAgent,
    sink: run.sink,
  });
  attempt.usage = addUsage(attempt.usage, result.usage);
  // In process, the run's sink saw each llm-call and counted it; a remote step's calls were stored elsewhere.
  if (run.steps.remote) run.stopper.addUsage(result.usage);
  return result.output as StepOutputOf<S>;
}
