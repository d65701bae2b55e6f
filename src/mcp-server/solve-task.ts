// `solve` called as an MCP task: starts the run and answers at once with a task whose id is the run's id; the
// client then polls `tasks/get`, fetches `tasks/result` and may `tasks/cancel` — all read from or sent to the run.
import { randomUUID } from 'node:crypto';
import type { CreateTaskResult, Task } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { type SolveToolInput, toRomaError } from '../contracts/index.js';
import { type SolveToolDeps, startSolve } from './solve-tool.js';
import { TASK_TTL_METADATA_KEY } from './task-recovery.js';
import type { SolveTaskRecord, SolveTaskRegistry } from './task-registry.js';
import type { RunTaskStore } from './task-store.js';
import { OWNER_METADATA_KEY } from './tenancy.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface SolveTaskDeps extends SolveToolDeps {
  registry: SolveTaskRegistry;
  taskStore: RunTaskStore;
  scrub: (text: string) => string;
  /** Sends on the session, outside any request (on HTTP: the standalone stream). */
  notifySession: (notification: ServerNotification) => Promise<void>;
}

export async function createSolveTask(
  deps: SolveTaskDeps,
  input: SolveToolInput,
  extra: Extra,
): Promise<CreateTaskResult> {
  const { registry } = deps;
  const record: SolveTaskRecord = {
    taskId: '',
    executionId: null,
    owner: deps.ownership.metadataFor(extra)[OWNER_METADATA_KEY] ?? null,
    createdAtMs: registry.now(),
    ttlMs: registry.ttlFor(extra.taskRequestedTtl),
    progress: { finished: 0, tasks: 0 },
    ended: false,
    cancelRequested: false,
    failure: null,
  };
  const failed = (error: unknown) => {
    const line = deps.scrub(toRomaError(error).toLine());
    return {
      ...record,
      taskId: randomUUID(),
      ended: true,
      failure: { isError: true, content: [{ type: 'text' as const, text: line }] },
    };
  };
  try {
    registry.makeRoom(record.owner);
  } catch (error) {
    // Full of running tasks: the answer is a task that already failed, kept nowhere (there is no room).
    return { task: await deps.taskStore.describe(failed(error)) };
  }
  let stored: SolveTaskRecord;
  try {
    // Progress goes on after the task is handed back (its token stays valid for the task's life); on HTTP the
    // call's stream closes with the answer, so later notifications go on the session's standalone stream.
    const send = (notification: ServerNotification) =>
      extra.sendNotification(notification).catch(() => deps.notifySession(notification));
    // The run records that it is a task, and for how long: a server started later finds the task from it.
    const started = startSolve(deps, input, extra, send, { [TASK_TTL_METADATA_KEY]: String(record.ttlMs) });
    const { handle } = started;
    stored = {
      ...record,
      taskId: handle.executionId,
      executionId: handle.executionId,
      progress: started.progress,
    };
    const ended = () => {
      stored.ended = true;
    };
    handle.done.then(ended, ended);
    // A task outlives its request, whose signal the SDK never aborts once the task is returned; the signal matters
    // only when the SDK runs this for a plain call (then cancelling the call cancels the run, as for direct solve).
    extra.signal.addEventListener('abort', () => handle.cancel('cancelled by the MCP client'), {
      once: true,
    });
  } catch (error) {
    // Refused before a run started (a profile, a limit): a failed task whose result says why.
    stored = failed(error);
  }
  registry.add(stored);
  const task: Task = await deps.taskStore.describe(stored);
  return { task };
}
