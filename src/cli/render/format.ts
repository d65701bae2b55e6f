// Small text formatters shared by the tree, the event lines and the summary.
import type { TaskStatus, TokenUsage } from '../../contracts/index.js';
import { terminalSafe } from './terminal-text.js';

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

/** 12345 → "12,345" (grouping fixed, so output does not depend on the machine's locale). */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

/**
 * Share of `saved` in `used + saved`, as "100%", "37.5%" or "0%". Rounded down, so "100%" means every
 * token was saved and a run that spent even one token shows at most "99.9%".
 */
export function formatSavedShare(saved: number, used: number): string {
  const whole = saved + used;
  if (whole <= 0 || saved <= 0) return '0%';
  const tenths = Math.floor((saved / whole) * 1000);
  const share = saved < whole && tenths === 1000 ? 999 : tenths;
  return `${share % 10 === 0 ? share / 10 : (share / 10).toFixed(1)}%`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Cuts to `width` characters with an ellipsis; one line only. */
export function clip(text: string, width: number): string {
  const line = terminalSafe(text).replace(/\s+/g, ' ').trim();
  if (width <= 1) return line.slice(0, Math.max(0, width));
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
