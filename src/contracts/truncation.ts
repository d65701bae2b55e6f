// The one visible marker for text cut to a bound (program output, tool results, dependency context).

/** `\n…[truncated N chars]`, or `\n…[truncated N chars: <hint>]` when the reader can act on the cut. */
export function truncationMarker(droppedChars: number, hint?: string): string {
  return `\n…[truncated ${droppedChars} chars${hint ? `: ${hint}` : ''}]`;
}
