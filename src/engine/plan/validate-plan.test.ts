// Planner output checks: what a user sees when a plan is empty, too big, cyclic or points at unknown tasks.
import { describe, expect, it } from 'vitest';
import type { PlannedSubtask } from './validate-plan.js';
import { checkPlan, childTaskId, findCycleMembers } from './validate-plan.js';

const task = (id: string, dependencies: string[] = []): PlannedSubtask => ({
  id,
  goal: `goal ${id}`,
  taskType: 'THINK',
  dependencies,
});
const options = { parentTaskId: 'root', maxSubtasks: 3, replan: 0 };

describe('checkPlan', () => {
  it('maps planner-local ids to tree-unique task ids, dependencies included', () => {
    const result = checkPlan([task('a'), task('b', ['a', 'a']), task('c', ['a', 'b'])], options);
    expect(result).toEqual({
      ok: true,
      subtasks: [
        { id: 'root.1', goal: 'goal a', taskType: 'THINK', dependencies: [] },
        { id: 'root.2', goal: 'goal b', taskType: 'THINK', dependencies: ['root.1'] },
        { id: 'root.3', goal: 'goal c', taskType: 'THINK', dependencies: ['root.1', 'root.2'] },
      ],
    });
    expect(childTaskId('root.2', 0, 1)).toBe('root.2.r1.1');
  });

  it.each([
    [[], 'the plan has no subtasks; give at least 1'],
    [[task('a'), task('b'), task('c'), task('d')], 'the plan has 4 subtasks; give at most 3'],
    [[task('a'), task('a')], 'subtask id "a" is used twice; ids must be unique'],
    [[task('a', ['a'])], 'subtask "a" depends on itself'],
    [[task('a', ['x'])], 'subtask "a" depends on unknown id "x"'],
    [[task('a', ['c']), task('b', ['a']), task('c', ['b'])], 'dependency cycle among subtasks "a", "b", "c"'],
  ])('refuses %j with a message naming the problem', (subtasks, problem) => {
    const result = checkPlan(subtasks, options);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContain(problem);
  });

  it('names only the tasks inside a cycle', () => {
    expect(findCycleMembers([task('a'), task('b', ['a', 'c']), task('c', ['b'])]).sort()).toEqual(['b', 'c']);
  });
});
