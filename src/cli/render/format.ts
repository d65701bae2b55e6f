// Small text formatters shared by the tree, the event lines and the summary.
import type { TaskStatus, TokenUsage } from '../../contracts/index.js';

const STATUS_MARKS: Record<TaskStatus, string> = {
  PENDING: '·',
  ATOMIZING: '◔',
  PLANNING: '◑',
  EXECUTING: '▶',
  WAITING_FOR_CHILDREN: '◒',
  AGGREGATING: '◕',
  VERIFYING: '◎',
  COMPLETED: '✓',
  FAILED: '✗',
  CANCELLED: '⊘',
};

export function statusMark(status: TaskStatus): string {
  return STATUS_MARKS[status];
}

export function formatTokens(usage: Pick<TokenUsage, 'inputTokens' | 'outputTokens'>): string {
  const total = usage.inputTokens + usage.outputTokens;
  return total >= 10_000 ? `${(total / 1000).toFixed(1)}k tok` : `${total} tok`;
}

export function formatCost(costUsd: number): string {
  return costUsd === 0 ? '$0' : costUsd < 0.01 ? `$${costUsd.toFixed(4)}` : `$${costUsd.toFixed(2)}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Cuts to `width` characters with an ellipsis; one line only. */
export function clip(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (width <= 1) return line.slice(0, Math.max(0, width));
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
