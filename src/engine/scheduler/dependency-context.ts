// Dependency results as context for dependants, each cut to a bounded size with a visible marker.
import type { DependencyContext } from '../../contracts/index.js';

export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const marker = `\n…[truncated ${text.length - maxChars} of ${text.length} characters]`;
  return text.slice(0, Math.max(0, maxChars - marker.length)) + marker;
}

export function boundedContext(
  entries: readonly DependencyContext[],
  maxCharsPerDependency: number,
): DependencyContext[] {
  return entries.map((entry) => ({ ...entry, result: truncateText(entry.result, maxCharsPerDependency) }));
}

/** The context block of a prompt; empty when the task depends on nothing. */
export function formatContext(entries: readonly DependencyContext[]): string {
  if (entries.length === 0) return '';
  const blocks = entries.map((entry) => `[${entry.taskId}] ${entry.goal}\n${entry.result}`);
  return `Results of the tasks this one depends on:\n${blocks.join('\n\n')}`;
}
