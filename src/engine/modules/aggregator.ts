// Aggregator: merges the results of a task's subtasks into the task's own result.
import { z } from 'zod';
import { RomaError } from '../../contracts/index.js';
import { truncateText } from '../scheduler/dependency-context.js';
import type { ModelCallScope, ModuleCall } from './model-call.js';
import { callModuleText } from './model-call.js';
import type { TaskPromptInput } from './task-prompt.js';
import { taskPrompt } from './task-prompt.js';

export const AGGREGATOR_SYSTEM_PROMPT = `ROMA aggregator. The task below was split into subtasks, which are done.
Combine their results into one complete answer to the task. Do not mention the subtasks themselves.`;

const AggregatorOutputSchema = z.string().trim().min(1, 'the aggregator answered with empty text');

export interface SubtaskResult {
  taskId: string;
  goal: string;
  /** Null when the subtask failed (only with engine.continueOnFailure). */
  result: string | null;
  error?: string;
}

function formatSubtaskResults(results: readonly SubtaskResult[], maxCharsEach: number): string {
  const blocks = results.map((entry) => {
    const body =
      entry.result === null
        ? `(failed: ${entry.error ?? 'unknown error'})`
        : truncateText(entry.result, maxCharsEach);
    return `[${entry.taskId}] ${entry.goal}\n${body}`;
  });
  return `Results of the subtasks:\n${blocks.join('\n\n')}`;
}

export async function aggregate(
  scope: ModelCallScope,
  call: Omit<ModuleCall, 'prompt' | 'module'>,
  task: TaskPromptInput,
  results: readonly SubtaskResult[],
  maxCharsEach: number,
): Promise<string> {
  const prompt = taskPrompt(task, [formatSubtaskResults(results, maxCharsEach)]);
  const { value } = await callModuleText(scope, { ...call, module: 'aggregator', prompt });
  const checked = AggregatorOutputSchema.safeParse(value);
  if (!checked.success) {
    throw new RomaError(
      'MODEL_OUTPUT_INVALID',
      `task ${call.taskId}: the aggregator answered with empty text`,
      {
        details: { taskId: call.taskId },
      },
    );
  }
  return checked.data;
}
