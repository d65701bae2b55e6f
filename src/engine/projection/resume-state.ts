// The resume state as a fold over the event log: what each task decided and whether it finished.
import type { StreamEvent, StreamEventOf, SubtaskSpec, TaskError, TaskType } from '../../contracts/index.js';

export interface ResumeTask {
  id: string;
  parentId: string | null;
  goal: string;
  depth: number;
  taskType: TaskType;
  dependencies: string[];
  /** The recorded atomizer decision, reused on resume. */
  nodeType: 'PLAN' | 'EXECUTE' | null;
  /** The latest recorded plan and its replan number, reused on resume. */
  plan: { subtasks: SubtaskSpec[]; replan: number } | null;
  end: {
    status: 'COMPLETED' | 'FAILED' | 'CANCELLED';
    result: string | null;
    error: TaskError | null;
  } | null;
}

export interface ResumeState {
  executionId: string;
  goal: string;
  rootTaskId: string;
  options: Record<string, unknown>;
  lastSeq: number;
  startedAt: string;
  /** The last execution-end, when the log has one after its last resume. */
  ended: StreamEventOf<'execution-end'> | null;
  tasks: Map<string, ResumeTask>;
}

export function foldResumeState(events: readonly StreamEvent[]): ResumeState | null {
  let state: ResumeState | null = null;
  for (const event of events) {
    if (event.type === 'execution-start') {
      state = {
        executionId: event.executionId,
        goal: event.goal,
        rootTaskId: event.rootTaskId,
        options: event.options,
        lastSeq: event.seq,
        startedAt: event.timestamp,
        ended: null,
        tasks: new Map(),
      };
      continue;
    }
    if (!state) continue;
    state.lastSeq = event.seq;
    switch (event.type) {
      case 'execution-resume':
        state.ended = null;
        // From here on the resuming process runs it: liveness checks must look at that one.
        if (event.pid !== undefined) {
          state.options = {
            ...state.options,
            pid: event.pid,
            hostname: event.hostname ?? null,
            runnerId: event.runnerId ?? null,
          };
        }
        break;
      case 'execution-end':
        state.ended = event;
        break;
      case 'task-start': {
        const existing = state.tasks.get(event.taskId);
        if (existing) existing.end = null;
        else
          state.tasks.set(event.taskId, {
            id: event.taskId,
            parentId: event.parentId,
            goal: event.goal,
            depth: event.depth,
            taskType: event.taskType,
            dependencies: [...event.dependencies],
            nodeType: null,
            plan: null,
            end: null,
          });
        break;
      }
      case 'task-atomized': {
        const task = state.tasks.get(event.taskId);
        if (task) task.nodeType = event.nodeType;
        break;
      }
      case 'task-planned': {
        const task = state.tasks.get(event.taskId);
        if (task) task.plan = { subtasks: event.subtasks, replan: event.replan };
        break;
      }
      case 'task-end': {
        const task = state.tasks.get(event.taskId);
        if (task) task.end = { status: event.status, result: event.result, error: event.error };
        break;
      }
      default:
        break;
    }
  }
  return state;
}
