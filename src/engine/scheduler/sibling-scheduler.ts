// Runs a DAG of sibling tasks: each starts once its dependencies are done, with their results as context.
import { setMaxListeners } from 'node:events';
import type { DependencyContext, SubtaskSpec, TaskError } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';
import { boundedContext } from './dependency-context.js';

type SiblingOutcome =
  | { status: 'COMPLETED'; result: string }
  | { status: 'FAILED' | 'CANCELLED'; error: TaskError };

interface SiblingRunOptions {
  /** Starts one task with its dependencies' results; resolves with how it ended (never rejects). */
  start(subtask: SubtaskSpec, context: DependencyContext[], signal: AbortSignal): Promise<SiblingOutcome>;
  /** Records that a task will not run because a dependency failed; resolves with its (FAILED) outcome. */
  skipForFailedDependency(
    subtask: SubtaskSpec,
    failed: { taskId: string; error: TaskError },
  ): Promise<SiblingOutcome>;
  continueOnFailure: boolean;
  maxContextChars: number;
  signal: AbortSignal;
}

/**
 * Returns every sibling's outcome that was decided; siblings never started (after a failure without
 * `continueOnFailure`, or a cancelled run) are absent. Without `continueOnFailure` the first failure aborts
 * the siblings still running, so the parent fails fast.
 */
export async function runSiblings(
  subtasks: readonly SubtaskSpec[],
  options: SiblingRunOptions,
): Promise<Map<string, SiblingOutcome>> {
  const group = new AbortController();
  // Each running sibling and its model calls listen on the group's signal.
  setMaxListeners(0, group.signal);
  const onParentAbort = () => group.abort(options.signal.reason);
  if (options.signal.aborted) onParentAbort();
  else options.signal.addEventListener('abort', onParentAbort, { once: true });

  const byId = new Map(subtasks.map((subtask) => [subtask.id, subtask]));
  const outcomes = new Map<string, SiblingOutcome>();
  const running = new Map<string, Promise<void>>();
  const waiting = new Set(subtasks.map((subtask) => subtask.id));

  const contextFor = (subtask: SubtaskSpec): DependencyContext[] =>
    boundedContext(
      subtask.dependencies.map((dependencyId) => {
        const outcome = outcomes.get(dependencyId)!;
        return {
          taskId: dependencyId,
          goal: byId.get(dependencyId)?.goal ?? dependencyId,
          result: outcome.status === 'COMPLETED' ? outcome.result : `(failed: ${outcome.error.message})`,
        };
      }),
      options.maxContextChars,
    );

  const settle = (id: string, outcome: SiblingOutcome) => {
    outcomes.set(id, outcome);
    if (outcome.status === 'FAILED' && !options.continueOnFailure && !group.signal.aborted) {
      group.abort(new RomaError('CANCELLED', `cancelled because sibling task ${id} failed`));
    }
  };

  try {
    // Each pass starts or skips at least one waiting task or awaits one running task, so at most 2n passes.
    for (let pass = 0; pass <= 2 * subtasks.length + 1; pass += 1) {
      const waitingBefore = waiting.size;
      for (const id of [...waiting]) {
        const subtask = byId.get(id)!;
        if (!subtask.dependencies.every((dependencyId) => outcomes.has(dependencyId))) continue;
        // A cancelled dependency means the run or this group is ending: the task is simply not started.
        if (subtask.dependencies.some((dependencyId) => outcomes.get(dependencyId)?.status === 'CANCELLED'))
          continue;
        const failedDependency = subtask.dependencies.find(
          (dependencyId) => outcomes.get(dependencyId)?.status === 'FAILED',
        );
        if (failedDependency !== undefined && !options.continueOnFailure) {
          const failed = outcomes.get(failedDependency)!;
          if (failed.status !== 'FAILED') continue;
          waiting.delete(id);
          settle(
            id,
            await options.skipForFailedDependency(subtask, { taskId: failedDependency, error: failed.error }),
          );
          continue;
        }
        if (group.signal.aborted) continue;
        waiting.delete(id);
        const promise = options.start(subtask, contextFor(subtask), group.signal).then((outcome) => {
          running.delete(id);
          settle(id, outcome);
        });
        running.set(id, promise);
      }
      if (running.size > 0) await Promise.race(running.values());
      else if (waiting.size === waitingBefore) break;
    }
    // Bounded above; anything still running (only if the bound were wrong) is awaited so no work leaks.
    await Promise.all(running.values());
    return outcomes;
  } finally {
    options.signal.removeEventListener('abort', onParentAbort);
  }
}
