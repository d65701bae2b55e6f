// Verifier: checks a task's result against its goal; a failed verdict sends the task back with the feedback.
import { z } from 'zod';
import { truncateText } from '../scheduler/dependency-context.js';
import type { ModelCallScope, ModuleCall } from './model-call.js';
import { callModuleObject } from './model-call.js';
import type { TaskPromptInput } from './task-prompt.js';
import { taskPrompt } from './task-prompt.js';

export const VERIFIER_SYSTEM_PROMPT = `ROMA verifier. Check whether the result below fully and correctly completes
the task. Answer with JSON: {"passed": true|false, "feedback": "<what is wrong or missing; empty when passed>"}.`;

const VerifierOutputSchema = z.object({
  passed: z.boolean(),
  feedback: z.string(),
});
type Verdict = z.output<typeof VerifierOutputSchema>;

export async function verify(
  scope: ModelCallScope,
  call: Omit<ModuleCall, 'prompt' | 'module'>,
  task: TaskPromptInput,
  result: string,
  maxResultChars: number,
): Promise<Verdict> {
  const prompt = taskPrompt(task, [`Result to check:\n${truncateText(result, maxResultChars)}`]);
  const { value } = await callModuleObject(
    scope,
    { ...call, module: 'verifier', prompt },
    VerifierOutputSchema,
  );
  return value;
}
