// One run as the dashboard holds it: its log, and the tree and totals folded from the log up to any seq.
import type { StreamEvent } from '../../../contracts/index.js';
import { applyToTaskTree, emptyTaskTree, type TaskTree } from '../../../engine/projection/task-tree.js';
import { applyToTotals, createTotalsFold, type RunTotals } from '../../../engine/projection/totals.js';

export interface RunState {
  tree: TaskTree;
  totals: RunTotals;
  /** Per task: model calls answered from the cache. */
  cacheHits: Map<string, number>;
  seq: number;
}

/** The log is the truth: the state at any seq is a fold of the events up to it. */
export function foldRun(events: readonly StreamEvent[], upToSeq = Number.POSITIVE_INFINITY): RunState {
  const tree = emptyTaskTree();
  const totals = createTotalsFold();
  const cacheHits = new Map<string, number>();
  let seq = 0;
  for (const event of events) {
    if (event.seq > upToSeq) break;
    applyToTaskTree(tree, event);
    applyToTotals(totals, event);
    if (event.type === 'llm-call' && event.cacheHit && event.taskId) {
      cacheHits.set(event.taskId, (cacheHits.get(event.taskId) ?? 0) + 1);
    }
    seq = event.seq;
  }
  return { tree, totals: totals.totals, cacheHits, seq };
}

/** Events of one task, for its detail panel. */
export function eventsOfTask(events: readonly StreamEvent[], taskId: string, upToSeq: number): StreamEvent[] {
  return events.filter((event) => event.seq <= upToSeq && 'taskId' in event && event.taskId === taskId);
}
