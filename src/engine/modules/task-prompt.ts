// The user prompt every module sees for a task: its goal and type, its parent, and its dependencies' results.
import type { DependencyContext, TaskType } from '../../contracts/index.js';
import { formatContext } from '../scheduler/dependency-context.js';

export interface TaskPromptInput {
  goal: string;
  taskType: TaskType;
  depth: number;
  maxDepth: number;
  parentGoal: string | null;
  context: readonly DependencyContext[];
}

/** `Task: <goal>` is on a line of its own, so a scripted rule can match one task exactly. */
export function taskPrompt(task: TaskPromptInput, extra: string[] = []): string {
  const lines = [
    `Task: ${task.goal}`,
    `Task type: ${task.taskType}`,
    `Depth: ${task.depth} of ${task.maxDepth}`,
  ];
  if (task.parentGoal) lines.push(`Part of: ${task.parentGoal}`);
  const context = formatContext(task.context);
  if (context) lines.push('', context);
  for (const block of extra) if (block) lines.push('', block);
  return lines.join('\n');
}
