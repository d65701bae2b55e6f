// Run totals as a fold over the event log: tasks, depth, model calls, tokens, cost, time, final status.
import type {
  ExecutionStatus,
  StopReason,
  StreamEvent,
  TaskError,
  TokenUsage,
} from '../../contracts/index.js';
import { emptyUsage } from '../../contracts/index.js';

export interface RunTotals {
  status: ExecutionStatus | null;
  reason: StopReason | null;
  result: string | null;
  error: TaskError | null;
  /** Distinct tasks started. */
  nodes: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Deepest task level reached (root is 0). */
  maxDepth: number;
  modelCalls: number;
  failedModelCalls: number;
  cacheHits: number;
  usage: TokenUsage;
  /**
   * What the caches spared: the tokens and cost the original calls of the LLM-response cache's hits used
   * (`savedInputTokens`… of `llm-call`), and the runs behind the PTC result cache's hits (`ptc-cache-hit`);
   * `cachedInputTokens` is always 0 here.
   */
  savedUsage: TokenUsage;
  /** From the first event to the last one, across resumes. */
  durationMs: number;
  startedAt: string | null;
  endedAt: string | null;
  resumes: number;
}

function emptyTotals(): RunTotals {
  return {
    status: null,
    reason: null,
    result: null,
    error: null,
    nodes: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    maxDepth: 0,
    modelCalls: 0,
    failedModelCalls: 0,
    cacheHits: 0,
    usage: emptyUsage(),
    savedUsage: emptyUsage(),
    durationMs: 0,
    startedAt: null,
    endedAt: null,
    resumes: 0,
  };
}

export interface TotalsFold {
  totals: RunTotals;
  /** Final status per task, so a restarted task is counted once. */
  taskStatus: Map<string, 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED'>;
}

export function createTotalsFold(): TotalsFold {
  return { totals: emptyTotals(), taskStatus: new Map() };
}

function recount(fold: TotalsFold): void {
  let completed = 0;
  let failed = 0;
  let cancelled = 0;
  for (const status of fold.taskStatus.values()) {
    if (status === 'COMPLETED') completed += 1;
    else if (status === 'FAILED') failed += 1;
    else if (status === 'CANCELLED') cancelled += 1;
  }
  fold.totals.completed = completed;
  fold.totals.failed = failed;
  fold.totals.cancelled = cancelled;
}

export function applyToTotals(fold: TotalsFold, event: StreamEvent): void {
  const totals = fold.totals;
  totals.startedAt ??= event.timestamp;
  totals.endedAt = event.timestamp;
  totals.durationMs = Math.max(0, Date.parse(totals.endedAt) - Date.parse(totals.startedAt));
  switch (event.type) {
    case 'execution-start':
      totals.status = 'RUNNING';
      break;
    case 'execution-resume':
      totals.status = 'RUNNING';
      totals.reason = null;
      totals.error = null;
      totals.resumes += 1;
      break;
    case 'task-start':
      if (!fold.taskStatus.has(event.taskId)) totals.nodes += 1;
      fold.taskStatus.set(event.taskId, 'RUNNING');
      totals.maxDepth = Math.max(totals.maxDepth, event.depth);
      recount(fold);
      break;
    case 'task-end':
      fold.taskStatus.set(event.taskId, event.status);
      recount(fold);
      break;
    case 'llm-call':
      totals.modelCalls += 1;
      if (!event.ok) totals.failedModelCalls += 1;
      if (event.cacheHit) totals.cacheHits += 1;
      totals.usage = {
        inputTokens: totals.usage.inputTokens + event.inputTokens,
        outputTokens: totals.usage.outputTokens + event.outputTokens,
        cachedInputTokens: totals.usage.cachedInputTokens + event.cachedInputTokens,
        costUsd: totals.usage.costUsd + event.costUsd,
      };
      totals.savedUsage = {
        inputTokens: totals.savedUsage.inputTokens + (event.savedInputTokens ?? 0),
        outputTokens: totals.savedUsage.outputTokens + (event.savedOutputTokens ?? 0),
        cachedInputTokens: 0,
        costUsd: totals.savedUsage.costUsd + (event.savedCostUsd ?? 0),
      };
      break;
    case 'ptc-cache-hit':
      // A CODE task answered from the PTC result cache spared the whole run that produced the answer.
      totals.savedUsage = {
        inputTokens: totals.savedUsage.inputTokens + event.savedInputTokens,
        outputTokens: totals.savedUsage.outputTokens + event.savedOutputTokens,
        cachedInputTokens: 0,
        costUsd: totals.savedUsage.costUsd + event.savedCostUsd,
      };
      break;
    case 'execution-end':
      totals.status = event.status;
      totals.reason = event.reason;
      totals.result = event.result;
      totals.error = event.error;
      break;
    default:
      break;
  }
}

export function foldTotals(events: Iterable<StreamEvent>): RunTotals {
  const fold = createTotalsFold();
  for (const event of events) applyToTotals(fold, event);
  return fold.totals;
}
