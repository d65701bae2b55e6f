// Solves one task: atomize, then execute it or plan, run and aggregate its subtasks; record each step.
import type { DependencyContext, NodeType } from '../../contracts/index.js';
import { assertTransition } from '../../contracts/index.js';
import { executeTask } from './execute-task.js';
import { planTask } from './plan-task.js';
import type { RunContext, TaskSpec } from './run-context.js';
import { runStep } from './step-call.js';
import { TaskAttempt } from './task-attempt.js';
import type { TaskOutcome } from './task-outcome.js';
import { outcomeFromError } from './task-outcome.js';

export async function solveTask(
  run: RunContext,
  spec: TaskSpec,
  context: DependencyContext[],
  signal: AbortSignal,
): Promise<TaskOutcome> {
  const recorded = run.resume?.tasks.get(spec.id);
  // A finished task is never redone: its result comes from the log, its model calls are not repeated.
  if (recorded?.end?.status === 'COMPLETED')
    return { status: 'COMPLETED', result: recorded.end.result ?? '' };
  if (signal.aborted) return outcomeFromError(signal.reason, signal);
  if (!run.stopper.hasStarted(spec.id) && run.stopper.check(spec.depth)) {
    return outcomeFromError(run.stopper.signal.reason, run.stopper.signal);
  }
  run.stopper.registerTask(spec.id);
  run.sink.record({
    type: 'task-start',
    taskId: spec.id,
    parentId: spec.parentId,
    goal: spec.goal,
    depth: spec.depth,
    maxDepth: run.config.engine.maxDepth,
    taskType: spec.taskType,
    dependencies: spec.dependencies,
  });
  const attempt = new TaskAttempt(run, spec, context, signal);
  let outcome: TaskOutcome;
  try {
    const result = await runTaskBody(run, attempt);
    outcome = { status: 'COMPLETED', result };
  } catch (error) {
    outcome = outcomeFromError(error, signal);
  }
  if (outcome.status !== 'COMPLETED' || attempt.status !== 'PENDING') {
    // Terminal statuses are reached only through task-end; the table still has to allow the step.
    assertTransition(attempt.status, outcome.status, spec.id);
  }
  run.sink.record({
    type: 'task-end',
    taskId: spec.id,
    status: outcome.status,
    result: outcome.status === 'COMPLETED' ? outcome.result : null,
    error: outcome.status === 'COMPLETED' ? null : outcome.error,
    usage: attempt.usage,
  });
  return outcome;
}

async function decideNodeType(run: RunContext, attempt: TaskAttempt): Promise<NodeType> {
  const { spec } = attempt;
  const recorded = run.resume?.tasks.get(spec.id)?.nodeType ?? null;
  if (spec.depth >= run.config.engine.maxDepth) {
    if (recorded === null) {
      run.sink.record({
        type: 'task-atomized',
        taskId: spec.id,
        nodeType: 'EXECUTE',
        forcedByDepth: true,
      });
    }
    return 'EXECUTE';
  }
  attempt.moveTo('ATOMIZING');
  // Recorded before a crash: reuse the decision rather than asking (and paying) again.
  if (recorded !== null) return recorded;
  const decided = await runStep(run, attempt, 'atomize', 0);
  run.sink.record({
    type: 'task-atomized',
    taskId: spec.id,
    nodeType: decided.nodeType,
    forcedByDepth: false,
    reason: decided.reason,
  });
  return decided.nodeType;
}

async function runTaskBody(run: RunContext, attempt: TaskAttempt): Promise<string> {
  run.stopper.throwIfHalted();
  const nodeType = await decideNodeType(run, attempt);
  return nodeType === 'EXECUTE' ? executeTask(run, attempt) : planTask(run, attempt, solveTask);
}
