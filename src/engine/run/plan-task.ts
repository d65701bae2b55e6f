// Solves a composite task: plan (checked, retried), run the subtasks as a DAG, aggregate; replan on a failed verdict.
import type { DependencyContext, SubtaskSpec } from '../../contracts/index.js';
import { emptyUsage, RomaError } from '../../contracts/index.js';
import type { SubtaskResult } from '../modules/aggregator.js';
import { runSiblings } from '../scheduler/sibling-scheduler.js';
import type { RunContext, TaskSpec } from './run-context.js';
import { runStep } from './step-call.js';
import type { TaskAttempt } from './task-attempt.js';
import type { TaskOutcome } from './task-outcome.js';
import { chainedError, taskErrorOf } from './task-outcome.js';
import { verifyResult } from './verify-step.js';

/** Solves one subtask; passed in by the task runner (which calls back into this module for composite tasks). */
type SolveChild = (
  run: RunContext,
  spec: TaskSpec,
  context: DependencyContext[],
  signal: AbortSignal,
) => Promise<TaskOutcome>;

async function planOnce(
  run: RunContext,
  attempt: TaskAttempt,
  replan: number,
  verifierFeedback: string | undefined,
): Promise<SubtaskSpec[]> {
  const planned = await runStep(
    run,
    attempt,
    'plan',
    replan,
    verifierFeedback === undefined ? {} : { feedback: verifierFeedback },
  );
  run.sink.record({ type: 'task-planned', taskId: attempt.spec.id, subtasks: planned.subtasks, replan });
  return planned.subtasks;
}

async function runChildren(
  run: RunContext,
  attempt: TaskAttempt,
  subtasks: SubtaskSpec[],
  solveTask: SolveChild,
): Promise<SubtaskResult[]> {
  const { spec } = attempt;
  const outcomes = await runSiblings(subtasks, {
    start: (subtask, context, signal) =>
      solveTask(
        run,
        {
          id: subtask.id,
          parentId: spec.id,
          goal: subtask.goal,
          depth: spec.depth + 1,
          taskType: subtask.taskType,
          dependencies: subtask.dependencies,
          parentGoal: spec.goal,
        },
        context,
        signal,
      ),
    skipForFailedDependency: async (subtask, failed) => {
      const error = taskErrorOf(
        chainedError(
          'DEPENDENCY_FAILED',
          `task ${subtask.id} not run: its dependency ${failed.taskId} failed`,
          failed,
        ),
      );
      run.stopper.registerTask(subtask.id);
      run.sink.record({
        type: 'task-start',
        taskId: subtask.id,
        parentId: spec.id,
        goal: subtask.goal,
        depth: spec.depth + 1,
        maxDepth: run.config.engine.maxDepth,
        taskType: subtask.taskType,
        dependencies: subtask.dependencies,
      });
      run.sink.record({
        type: 'task-end',
        taskId: subtask.id,
        status: 'FAILED',
        result: null,
        error,
        usage: emptyUsage(),
      });
      return { status: 'FAILED', error };
    },
    continueOnFailure: run.config.engine.continueOnFailure,
    maxContextChars: run.config.engine.maxContextChars,
    signal: attempt.signal,
  });
  if (attempt.signal.aborted) throw attempt.signal.reason;
  const results: SubtaskResult[] = [];
  for (const subtask of subtasks) {
    const outcome = outcomes.get(subtask.id);
    if (outcome?.status === 'COMPLETED') {
      results.push({ taskId: subtask.id, goal: subtask.goal, result: outcome.result });
      continue;
    }
    if (outcome && outcome.status === 'FAILED' && run.config.engine.continueOnFailure) {
      results.push({ taskId: subtask.id, goal: subtask.goal, result: null, error: outcome.error.message });
      continue;
    }
    if (outcome?.status === 'FAILED') {
      throw chainedError(
        'TASK_FAILED',
        `task ${spec.id} failed: subtask ${subtask.id} failed: ${outcome.error.message}`,
        {
          taskId: subtask.id,
          error: outcome.error,
        },
      );
    }
  }
  // Without continueOnFailure, a missing or cancelled outcome means a sibling failed first; find it.
  const failed = [...outcomes].find(([, outcome]) => outcome.status === 'FAILED');
  if (failed && failed[1].status === 'FAILED' && !run.config.engine.continueOnFailure) {
    throw chainedError('TASK_FAILED', `task ${spec.id} failed: subtask ${failed[0]} failed`, {
      taskId: failed[0],
      error: failed[1].error,
    });
  }
  if (results.length !== subtasks.length) {
    const cancelled = [...outcomes].find(([, outcome]) => outcome.status === 'CANCELLED');
    throw new RomaError('CANCELLED', `task ${spec.id}: subtask ${cancelled?.[0] ?? '?'} did not finish`);
  }
  return results;
}

export async function planTask(
  run: RunContext,
  attempt: TaskAttempt,
  solveChild: SolveChild,
): Promise<string> {
  const recordedPlan = run.resume?.tasks.get(attempt.spec.id)?.plan ?? null;
  let replan = recordedPlan?.replan ?? 0;
  let subtasks: SubtaskSpec[] | null = recordedPlan?.subtasks ?? null;
  let verifierFeedback: string | undefined;
  // Bounded: at most 1 + maxReplans plans (a resumed plan keeps its replan number).
  for (;;) {
    attempt.moveTo('PLANNING');
    subtasks ??= await planOnce(run, attempt, replan, verifierFeedback);
    attempt.moveTo('WAITING_FOR_CHILDREN');
    const results = await runChildren(run, attempt, subtasks, solveChild);
    attempt.moveTo('AGGREGATING');
    const { result } = await runStep(run, attempt, 'aggregate', replan, { results });
    if (!run.config.engine.verify) return result;
    const verdict = await verifyResult(run, attempt, result, replan);
    if (!verdict.retry) return result;
    replan += 1;
    verifierFeedback = verdict.feedback;
    subtasks = null;
  }
}
