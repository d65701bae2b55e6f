// Atomizer: decides whether a task is done in one step (EXECUTE) or split into subtasks (PLAN).
import { z } from 'zod';
import type { NodeType } from '../../contracts/index.js';
import type { ModelCallScope, ModuleCall } from './model-call.js';
import { callModuleObject } from './model-call.js';
import type { TaskPromptInput } from './task-prompt.js';
import { taskPrompt } from './task-prompt.js';

export const ATOMIZER_SYSTEM_PROMPT = `ROMA atomizer. You decide how a task of a recursive solver is done.
A task is atomic when one focused answer (one search, one piece of reasoning, one piece of writing, one program)
can complete it. It is composite when it needs several distinct steps whose results build on each other.
Prefer atomic for small tasks. Answer with JSON: {"atomic": true|false, "reason": "<one sentence>"}.`;

const AtomizerOutputSchema = z.object({
  atomic: z.boolean(),
  reason: z.string(),
});

interface AtomizeDecision {
  nodeType: NodeType;
  reason: string;
}

export async function atomize(
  scope: ModelCallScope,
  call: Omit<ModuleCall, 'prompt' | 'module'>,
  task: TaskPromptInput,
  feedback?: string,
): Promise<AtomizeDecision> {
  const extra = feedback
    ? [`Your previous answer was rejected: ${feedback}\nAnswer again, fixing that.`]
    : [];
  const { value } = await callModuleObject(
    scope,
    { ...call, module: 'atomizer', prompt: taskPrompt(task, extra) },
    AtomizerOutputSchema,
  );
  return { nodeType: value.atomic ? 'EXECUTE' : 'PLAN', reason: value.reason };
}
