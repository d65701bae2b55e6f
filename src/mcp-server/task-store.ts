// The MCP SDK's task store for one server (one session), seen as its caller: the caller's solve tasks, each read
// from its run in the execution store — status, progress, result — so a task outlives the session that made it.
import type { TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { CallToolResult, Result, Task } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ExecutionStatus } from '../contracts/index.js';
import type { Runtime } from '../runtime/index.js';
import { solveResult } from './solve-tool.js';
import { recoverSolveTask, refreshRecoveredProgress } from './task-recovery.js';
import type { SolveTaskRecord, SolveTaskRegistry } from './task-registry.js';

/** Tasks per `tasks/list` page (each costs one read of the store). */
const LIST_PAGE_SIZE = 50;

/** Where a task carries its run: `_meta` of `tasks/get`, so a client can also read `roma://runs/{id}`. */
export const RUN_META_KEY = 'roma/run';

export interface RunTaskStoreDeps {
  registry: SolveTaskRegistry;
  runtime: Runtime;
  /** The identity admitted for this session; with tenants, a task is visible only to the one that created it. */
  caller: string | null;
  tenants: boolean;
  scrub: (text: string) => string;
}

/** A STOPPED run (a budget ran out) has a result, like a finished one; FAILED is the call's failure. */
function taskStatus(status: ExecutionStatus): Task['status'] {
  switch (status) {
    case 'RUNNING':
      return 'working';
    case 'COMPLETED':
    case 'STOPPED':
      return 'completed';
    case 'FAILED':
      return 'failed';
    case 'CANCELLED':
      return 'cancelled';
  }
}

function notFound(taskId: string): McpError {
  return new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
}

export interface RunTaskStore extends TaskStore {
  /** The task as `tasks/get` shows it (the creating call returns it too). */
  describe(record: SolveTaskRecord): Promise<Task>;
}

export function createRunTaskStore(deps: RunTaskStoreDeps): RunTaskStore {
  const { registry, runtime } = deps;
  const visible = (record: SolveTaskRecord) =>
    deps.tenants ? deps.caller !== null && record.owner === deps.caller : true;
  /**
   * A task this process handed out, or one from before a restart of the server, found again from its run's log
   * (kept in the registry from then on, when there is room).
   */
  const lookup = async (taskId: string): Promise<SolveTaskRecord | undefined> => {
    const known = registry.get(taskId);
    if (known) return visible(known) ? known : undefined;
    const recovered = await recoverSolveTask(runtime.store, registry, taskId);
    if (!recovered || !visible(recovered)) return undefined;
    try {
      registry.makeRoom(recovered.owner);
      if (!registry.get(taskId)) registry.add(recovered);
    } catch {
      // No room: it is answered all the same, and found again from the log next time.
    }
    return registry.get(taskId) ?? recovered;
  };

  /** A recovered task's run left RUNNING by a process that is gone: nobody will end it until it is resumed. */
  const interrupted = async (record: SolveTaskRecord, runStatus: ExecutionStatus): Promise<boolean> => {
    if (!record.recovered || runStatus !== 'RUNNING' || record.executionId === null) return false;
    return (await runtime.runs.liveness(record.executionId)).orphaned;
  };

  const describe = async (record: SolveTaskRecord): Promise<Task> => {
    const createdAt = new Date(record.createdAtMs).toISOString();
    const base = {
      taskId: record.taskId,
      ttl: record.ttlMs,
      createdAt,
      pollInterval: registry.pollIntervalMs,
    };
    if (record.executionId === null) {
      const text = record.failure?.content.find((block) => block.type === 'text')?.text ?? 'failed';
      return { ...base, status: 'failed', lastUpdatedAt: createdAt, statusMessage: text };
    }
    const summary = await runtime.runs.get(record.executionId);
    // The run's first event may not be stored yet right after the call: it is working.
    const runStatus: ExecutionStatus = summary?.status ?? 'RUNNING';
    await refreshRecoveredProgress(runtime.store, record);
    const { finished, tasks } = record.progress;
    const progressText = `${finished} of ${Math.max(tasks, finished)} tasks finished`;
    const waiting = runStatus === 'RUNNING' && record.cancelRequested ? ' (cancel requested)' : '';
    const gone = await interrupted(record, runStatus);
    return {
      ...base,
      // Failed, not working: a client would otherwise poll a run nobody runs until its task expires.
      status: gone ? 'failed' : taskStatus(runStatus),
      lastUpdatedAt: summary?.updatedAt ?? createdAt,
      statusMessage: gone
        ? `run ${record.executionId} was interrupted (${progressText}): the process running it is gone, as when the server restarts; resume it with the run_resume tool, \`roma runs resume ${record.executionId}\` or POST /api/v1/executions/${record.executionId}/resume`
        : `run ${record.executionId} ${runStatus.toLowerCase()}${waiting}: ${progressText}`,
      _meta: {
        [RUN_META_KEY]: {
          executionId: record.executionId,
          status: runStatus,
          finishedTasks: finished,
          tasks: Math.max(tasks, finished, summary?.nodeCount ?? 0),
        },
      },
    } as Task;
  };

  return {
    describe,
    createTask: async () => {
      // The SDK calls this only for handlers that create tasks through it; solve registers its runs itself.
      throw new McpError(ErrorCode.InvalidRequest, 'tasks are created by calling solve as a task');
    },
    getTask: async (taskId) => {
      const record = await lookup(taskId);
      return record ? describe(record) : null;
    },
    getTaskResult: async (taskId): Promise<Result> => {
      const record = await lookup(taskId);
      if (!record) throw notFound(taskId);
      const result: CallToolResult =
        record.executionId === null
          ? (record.failure ?? { content: [], isError: true })
          : await solveResult(runtime, record.executionId);
      return JSON.parse(deps.scrub(JSON.stringify(result))) as Result;
    },
    storeTaskResult: async () => {
      throw new McpError(
        ErrorCode.InvalidRequest,
        "a solve task's result is its run's; it is not stored apart",
      );
    },
    updateTaskStatus: async (taskId, status) => {
      const record = await lookup(taskId);
      if (!record) throw notFound(taskId);
      // roma never waits for a client's input; the one change a client asks for is the end (tasks/cancel).
      if (status !== 'cancelled') {
        throw new McpError(ErrorCode.InvalidRequest, `a solve task cannot be set to ${status}`);
      }
      if (record.executionId === null) return;
      record.cancelRequested = true;
      // Waits (bounded) for the run to end, so the answer of tasks/cancel shows it cancelled.
      await runtime.runs.cancel(record.executionId, { reason: 'cancelled through tasks/cancel' });
    },
    listTasks: async (cursor) => {
      const mine = registry.list().filter(visible);
      // The cursor is the last task id of the previous page: tasks created meanwhile do not shift the pages.
      const start = cursor === undefined ? 0 : mine.findIndex((record) => record.taskId === cursor) + 1;
      if (start === 0 && cursor !== undefined) {
        throw new McpError(ErrorCode.InvalidParams, `invalid or expired cursor: ${cursor}`);
      }
      const page = mine.slice(start, start + LIST_PAGE_SIZE);
      const tasks = await Promise.all(page.map((record) => describe(record)));
      const last = page.at(-1);
      return last && start + page.length < mine.length ? { tasks, nextCursor: last.taskId } : { tasks };
    },
  };
}
