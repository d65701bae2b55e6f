// Dependency results as context for dependants, each cut to a bounded size with a visible marker.
import type { DependencyContext } from '../../contracts/index.js';
import { truncationMarker } from '../../contracts/index.js';

export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  // The marker counts against the bound; its length barely depends on the count, so measure it once.
  const kept = Math.max(0, maxChars - truncationMarker(text.length).length);
  return text.slice(0, kept) + truncationMarker(text.length - kept);
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
