// The execution summary as a fold over the event log: one function shared by every store and by import.
import type { ExecutionSummary, StreamEvent } from '../contracts/index.js';
import { emptyUsage } from '../contracts/index.js';

interface SummaryFoldContext {
  /** True when an earlier `task-start` of the same task exists: a resumed run may restart a task. */
  taskAlreadyStarted: boolean;
}

export function initialSummary(id: string, goal: string, createdAt: string): ExecutionSummary {
  return {
    id,
    goal,
    status: 'RUNNING',
    createdAt,
    updatedAt: createdAt,
    lastSeq: 0,
    usage: emptyUsage(),
    nodeCount: 0,
    result: null,
  };
}

/** The summary after `event`; pure, so a store computes it inside the same transaction as the append. */
export function foldSummary(
  summary: ExecutionSummary,
  event: StreamEvent,
  context: SummaryFoldContext,
): ExecutionSummary {
  // The event's own time, not the store's clock, so an imported log folds to the same summary.
  const next: ExecutionSummary = {
    ...summary,
    lastSeq: event.seq,
    updatedAt: normalizeTimestamp(event.timestamp),
  };
  switch (event.type) {
    case 'execution-start':
    case 'execution-resume':
      next.status = 'RUNNING';
      break;
    case 'execution-end':
      next.status = event.status;
      next.result = event.result;
      break;
    case 'task-start':
      if (!context.taskAlreadyStarted) next.nodeCount = summary.nodeCount + 1;
      break;
    case 'llm-call':
      next.usage = {
        inputTokens: summary.usage.inputTokens + event.inputTokens,
        outputTokens: summary.usage.outputTokens + event.outputTokens,
        cachedInputTokens: summary.usage.cachedInputTokens + event.cachedInputTokens,
        costUsd: summary.usage.costUsd + event.costUsd,
      };
      break;
    default:
      break;
  }
  return next;
}

/** ISO timestamps in UTC with milliseconds, so text columns sort in time order. */
export function normalizeTimestamp(timestamp: string): string {
  return new Date(timestamp).toISOString();
}

/** The task id an event is about, for the `task_id` column; null for run-level events. */
export function taskIdOf(event: StreamEvent): string | null {
  return 'taskId' in event ? (event.taskId ?? null) : null;
}
