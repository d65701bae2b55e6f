// Planner: splits a composite task into typed subtasks with dependencies between siblings (a DAG).
import { z } from 'zod';
import { TASK_TYPES } from '../../contracts/index.js';
import type { ModelCallScope, ModuleCall } from './model-call.js';
import { callModuleObject } from './model-call.js';
import type { TaskPromptInput } from './task-prompt.js';
import { taskPrompt } from './task-prompt.js';

export const PLANNER_SYSTEM_PROMPT = `ROMA planner. You split a task into subtasks that together complete it.
Each subtask has a short id ("a", "b", …), a goal that can be understood on its own, a type —
RETRIEVE (find facts), THINK (reason or analyse), WRITE (compose text), CODE (write and run a program) — and
the ids of sibling subtasks whose results it needs ("dependencies"). Subtasks without a dependency between
them run in parallel. No subtask may depend on itself, on an unknown id, or in a cycle.
Answer with JSON: {"subtasks": [{"id": "a", "goal": "…", "taskType": "THINK", "dependencies": []}, …]}.`;

const PlannerOutputSchema = z.object({
  subtasks: z.array(
    z.object({
      id: z.string().min(1),
      goal: z.string().min(1),
      taskType: z.enum(TASK_TYPES),
      dependencies: z.array(z.string()),
    }),
  ),
});
type PlannerOutput = z.output<typeof PlannerOutputSchema>;

interface PlanRequest {
  maxSubtasks: number;
  /** What was wrong with the previous answer (validation), or the verifier's verdict on the previous plan. */
  feedback?: string | undefined;
}

export async function plan(
  scope: ModelCallScope,
  call: Omit<ModuleCall, 'prompt' | 'module'>,
  task: TaskPromptInput,
  request: PlanRequest,
): Promise<PlannerOutput> {
  const extra = [`Give between 1 and ${request.maxSubtasks} subtasks.`];
  if (request.feedback)
    extra.push(`Your previous answer was rejected: ${request.feedback}\nAnswer again, fixing that.`);
  const { value } = await callModuleObject(
    scope,
    { ...call, module: 'planner', prompt: taskPrompt(task, extra) },
    PlannerOutputSchema,
  );
  return value;
}
