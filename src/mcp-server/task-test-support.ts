// For the task tests: poll a task with the SDK's client until it gets somewhere, and read the run it carries.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { RUN_META_KEY } from './task-store.js';

/** Polls at most this many times, 100 ms apart. */
const MAX_POLLS = 600;

export type TaskState = Awaited<ReturnType<Client['experimental']['tasks']['getTask']>>;

export interface TaskRun {
  executionId: string;
  status: string;
  finishedTasks: number;
  tasks: number;
}

export function runOf(task: TaskState): TaskRun {
  return task._meta?.[RUN_META_KEY] as TaskRun;
}

export async function pollTask(
  client: Client,
  taskId: string,
  done: (task: TaskState) => boolean,
): Promise<TaskState> {
  for (let poll = 0; poll < MAX_POLLS; poll += 1) {
    const task = await client.experimental.tasks.getTask(taskId);
    if (done(task)) return task;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`task ${taskId} did not get there in ${MAX_POLLS} polls`);
}
