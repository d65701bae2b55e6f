// Checks a planner's subtasks (count, unique ids, known dependencies, no self or cyclic dependency) and
// maps the planner-local ids to task ids that are unique across the tree.
import type { SubtaskSpec, TaskType } from '../../contracts/index.js';

export interface PlannedSubtask {
  id: string;
  goal: string;
  taskType: TaskType;
  dependencies: string[];
}

type PlanCheck = { ok: true; subtasks: SubtaskSpec[] } | { ok: false; problems: string[] };

interface PlanCheckOptions {
  parentTaskId: string;
  maxSubtasks: number;
  /** 0 for the first plan; n for the n-th replan (children of a replan get their own ids). */
  replan: number;
}

/** `root.2` for the second subtask of root; `root.r1.2` for the second subtask of root's first replan. */
export function childTaskId(parentTaskId: string, index: number, replan: number): string {
  return replan === 0 ? `${parentTaskId}.${index + 1}` : `${parentTaskId}.r${replan}.${index + 1}`;
}

/** Ids that are part of a dependency cycle (Kahn's algorithm: what never reaches in-degree zero). */
export function findCycleMembers(subtasks: readonly PlannedSubtask[]): string[] {
  const inDegree = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const subtask of subtasks) {
    inDegree.set(subtask.id, subtask.dependencies.length);
    for (const dependency of subtask.dependencies) {
      const list = dependants.get(dependency) ?? [];
      list.push(subtask.id);
      dependants.set(dependency, list);
    }
  }
  const ready = [...inDegree].filter(([, degree]) => degree === 0).map(([id]) => id);
  // Bounded: each id enters `ready` at most once, since its degree hits zero once.
  while (ready.length > 0) {
    const id = ready.pop()!;
    inDegree.delete(id);
    for (const dependant of dependants.get(id) ?? []) {
      const degree = (inDegree.get(dependant) ?? 0) - 1;
      inDegree.set(dependant, degree);
      if (degree === 0) ready.push(dependant);
    }
  }
  return [...inDegree.keys()];
}

export function checkPlan(subtasks: readonly PlannedSubtask[], options: PlanCheckOptions): PlanCheck {
  const problems: string[] = [];
  if (subtasks.length === 0) problems.push('the plan has no subtasks; give at least 1');
  if (subtasks.length > options.maxSubtasks) {
    problems.push(`the plan has ${subtasks.length} subtasks; give at most ${options.maxSubtasks}`);
  }
  const ids = new Set<string>();
  for (const subtask of subtasks) {
    if (ids.has(subtask.id)) problems.push(`subtask id "${subtask.id}" is used twice; ids must be unique`);
    ids.add(subtask.id);
  }
  let danglingOrSelf = false;
  for (const subtask of subtasks) {
    for (const dependency of subtask.dependencies) {
      if (dependency === subtask.id) {
        problems.push(`subtask "${subtask.id}" depends on itself`);
        danglingOrSelf = true;
      } else if (!ids.has(dependency)) {
        problems.push(`subtask "${subtask.id}" depends on unknown id "${dependency}"`);
        danglingOrSelf = true;
      }
    }
  }
  if (!danglingOrSelf && problems.length === 0) {
    const cycle = findCycleMembers(subtasks);
    if (cycle.length > 0)
      problems.push(`dependency cycle among subtasks ${cycle.map((id) => `"${id}"`).join(', ')}`);
  }
  if (problems.length > 0) return { ok: false, problems };

  const globalIds = new Map<string, string>();
  for (const [index, subtask] of subtasks.entries()) {
    globalIds.set(subtask.id, childTaskId(options.parentTaskId, index, options.replan));
  }
  return {
    ok: true,
    subtasks: subtasks.map((subtask) => ({
      id: globalIds.get(subtask.id)!,
      goal: subtask.goal,
      taskType: subtask.taskType,
      // A planner may repeat a dependency; one edge is enough.
      dependencies: [...new Set(subtask.dependencies)].map((dependency) => globalIds.get(dependency)!),
    })),
  };
}
