// A run as an MCP client sees it: status, answer, totals, a bounded tree and its artifacts — a fold over its log.
import type { Artifact, RunReport, StreamEvent } from '../contracts/index.js';
import { foldTaskTree, foldTotals } from '../engine/index.js';

/** Tasks listed in a report; a bigger tree is cut (the full log stays readable with `run_events`). */
const MAX_TREE_LINES = 200;
const MAX_GOAL_CHARS = 200;

export function runReport(executionId: string, events: readonly StreamEvent[]): RunReport {
  const totals = foldTotals(events);
  const tree = foldTaskTree(events);
  const artifacts: Artifact[] = [];
  for (const event of events) if (event.type === 'artifact-created') artifacts.push(event.artifact);
  const lines = [...tree.nodes.values()]
    .sort((a, b) => a.depth - b.depth || a.id.localeCompare(b.id))
    .slice(0, MAX_TREE_LINES)
    .map((node) => ({
      id: node.id,
      depth: node.depth,
      taskType: node.taskType,
      status: node.status,
      goal: node.goal.length > MAX_GOAL_CHARS ? `${node.goal.slice(0, MAX_GOAL_CHARS - 1)}…` : node.goal,
    }));
  return {
    executionId,
    goal: tree.goal ?? '',
    status: totals.status ?? 'RUNNING',
    reason: totals.reason,
    answer: totals.result,
    error: totals.error ? `${totals.error.code}: ${totals.error.message}` : null,
    totals: {
      tasks: totals.nodes,
      completedTasks: totals.completed,
      failedTasks: totals.failed,
      modelCalls: totals.modelCalls,
      cacheHits: totals.cacheHits,
      usage: totals.usage,
      durationMs: totals.durationMs,
    },
    tree: lines,
    artifacts: artifacts.map(({ name, mimeType, bytes, uri }) => ({ name, mimeType, bytes, uri })),
  };
}

/** The report as the text block of a tool result (clients that ignore structured content read this). */
export function reportText(report: RunReport): string {
  const usage = report.totals.usage;
  const lines = [
    `run ${report.executionId}: ${report.status}${report.reason ? ` (${report.reason})` : ''}`,
    `tasks ${report.totals.tasks} (${report.totals.completedTasks} completed, ${report.totals.failedTasks} failed) · model calls ${report.totals.modelCalls} · tokens ${usage.inputTokens} in / ${usage.outputTokens} out · $${usage.costUsd.toFixed(4)}`,
  ];
  if (report.error) lines.push(`error: ${report.error}`);
  if (report.answer !== null) lines.push('', report.answer);
  return lines.join('\n');
}
