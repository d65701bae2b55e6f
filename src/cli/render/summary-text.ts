// The end of a run as text: the final answer (or why there is none) and one summary block.
import type { RunTotals } from '../../engine/index.js';
import { formatCost, formatDuration } from './format.js';

export function renderOutcomeText(executionId: string, totals: RunTotals): string {
  const lines: string[] = [];
  if (totals.status === 'COMPLETED') {
    lines.push('', '━━ answer ━━', totals.result ?? '', '');
  } else {
    const why = totals.error ? `${totals.error.code}: ${totals.error.message}` : 'no answer';
    lines.push('', `━━ run ${totals.status?.toLowerCase() ?? 'unfinished'} ━━`, why);
    for (const cause of totals.error?.cause ?? []) {
      lines.push(`  caused by ${cause.taskId ?? '?'}: ${cause.code}: ${cause.message}`);
    }
    if (totals.status === 'STOPPED' || totals.status === 'CANCELLED' || totals.status === 'FAILED') {
      lines.push(`continue it with: roma runs resume ${executionId}`);
    }
    lines.push('');
  }
  const tokens = totals.usage.inputTokens + totals.usage.outputTokens;
  const cached = totals.cacheHits > 0 ? `, ${totals.cacheHits} from cache` : '';
  lines.push(
    `run ${executionId}: ${totals.status ?? 'unknown'}${totals.reason ? ` (${totals.reason})` : ''}`,
    `  tasks ${totals.nodes} (${totals.completed} completed, ${totals.failed} failed, ${totals.cancelled} cancelled), depth ${totals.maxDepth}`,
    `  model calls ${totals.modelCalls}${cached}, tokens ${tokens} (${totals.usage.inputTokens} in, ${totals.usage.outputTokens} out), cost ${formatCost(totals.usage.costUsd)}`,
    `  time ${formatDuration(totals.durationMs)}${totals.resumes > 0 ? `, resumed ${totals.resumes}×` : ''}`,
  );
  return lines.join('\n');
}
