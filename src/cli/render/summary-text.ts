// The end of a run as text: the final answer (or why there is none) and one summary block.
import type { RunTotals } from '../../engine/index.js';
import { formatCost, formatCount, formatDuration, formatSavedShare } from './format.js';
import { terminalSafe } from './terminal-text.js';

/** `tokens: 0 in / 0 out · saved 12,345 tokens (100%) · $0 (saved $0.0123)`; saved = cache hits' original usage. */
export function tokensLine(totals: Pick<RunTotals, 'usage' | 'savedUsage'>): string {
  const { usage, savedUsage } = totals;
  const used = usage.inputTokens + usage.outputTokens;
  const saved = savedUsage.inputTokens + savedUsage.outputTokens;
  const savedCost = savedUsage.costUsd > 0 ? ` (saved ${formatCost(savedUsage.costUsd)})` : '';
  return (
    `tokens: ${formatCount(usage.inputTokens)} in / ${formatCount(usage.outputTokens)} out` +
    ` · saved ${formatCount(saved)} tokens (${formatSavedShare(saved, used)})` +
    ` · ${formatCost(usage.costUsd)}${savedCost}`
  );
}

export function renderOutcomeText(executionId: string, totals: RunTotals): string {
  const lines: string[] = [];
  if (totals.status === 'COMPLETED') {
    lines.push('', '━━ answer ━━', terminalSafe(totals.result ?? ''), '');
  } else {
    const why = totals.error ? `${totals.error.code}: ${terminalSafe(totals.error.message)}` : 'no answer';
    lines.push('', `━━ run ${totals.status?.toLowerCase() ?? 'unfinished'} ━━`, why);
    for (const cause of totals.error?.cause ?? []) {
      lines.push(`  caused by ${cause.taskId ?? '?'}: ${cause.code}: ${terminalSafe(cause.message)}`);
    }
    if (totals.status === 'STOPPED' || totals.status === 'CANCELLED' || totals.status === 'FAILED') {
      lines.push(`continue it with: roma runs resume ${executionId}`);
    }
    lines.push('');
  }
  lines.push(
    `run ${executionId}: ${totals.status ?? 'unknown'}${totals.reason ? ` (${totals.reason})` : ''}`,
    `  tasks ${totals.nodes} (${totals.completed} completed, ${totals.failed} failed, ${totals.cancelled} cancelled), depth ${totals.maxDepth}`,
    `  model calls ${totals.modelCalls}, ${totals.cacheHits} from cache`,
    `  ${tokensLine(totals)}`,
    `  time ${formatDuration(totals.durationMs)}${totals.resumes > 0 ? `, resumed ${totals.resumes}×` : ''}`,
  );
  return lines.join('\n');
}
