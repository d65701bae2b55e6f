// Executor of THINK, WRITE and RETRIEVE tasks: one model call whose text is the task's result.
import { z } from 'zod';
import type { TaskType } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';
import type { ModelCallScope, ModuleCall } from './model-call.js';
import { callModuleText } from './model-call.js';
import type { TaskPromptInput } from './task-prompt.js';
import { taskPrompt } from './task-prompt.js';

const EXECUTOR_SYSTEM_PROMPTS: Record<Exclude<TaskType, 'CODE'>, string> = {
  THINK: `ROMA executor (THINK). Reason the task through and answer with the conclusion and the key steps
that support it. Use the results of the tasks it depends on.`,
  WRITE: `ROMA executor (WRITE). Write the text the task asks for, complete and ready to use. Use the
results of the tasks it depends on.`,
  RETRIEVE: `ROMA executor (RETRIEVE). Give the facts the task asks for, concise and specific, saying where
you are unsure.`,
};

export function executorSystemPrompt(taskType: TaskType): string {
  return taskType === 'CODE' ? EXECUTOR_SYSTEM_PROMPTS.THINK : EXECUTOR_SYSTEM_PROMPTS[taskType];
}

/** The result must be non-empty text. */
const ExecutorOutputSchema = z.string().trim().min(1, 'the executor answered with empty text');

export async function executeWithModel(
  scope: ModelCallScope,
  call: Omit<ModuleCall, 'prompt' | 'module'>,
  task: TaskPromptInput,
  feedback?: string,
): Promise<string> {
  const extra = feedback
    ? [`A reviewer rejected your previous answer: ${feedback}\nAnswer again, fixing that.`]
    : [];
  const { value } = await callModuleText(scope, {
    ...call,
    module: 'executor',
    prompt: taskPrompt(task, extra),
  });
  const checked = ExecutorOutputSchema.safeParse(value);
  if (!checked.success) {
    throw new RomaError(
      'MODEL_OUTPUT_INVALID',
      `task ${call.taskId}: the executor answered with empty text`,
      {
        details: { taskId: call.taskId },
      },
    );
  }
  return checked.data;
}
