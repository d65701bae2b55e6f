// Bounds what a program printed before it enters the model's context; the cut is visible to the model.
import { truncationMarker } from '../../contracts/index.js';

interface BoundedText {
  text: string;
  truncated: boolean;
}

/** Keeps the head and the tail (errors are usually at the end) and says how much was left out between. */
export function boundOutput(text: string, maxChars: number): BoundedText {
  if (text.length <= maxChars) return { text, truncated: false };
  const omitted = text.length - maxChars;
  const head = Math.ceil(maxChars * 0.7);
  const tail = maxChars - head;
  return {
    text: `${text.slice(0, head)}${truncationMarker(omitted, 'print less, e.g. aggregates or a slice')}…\n${tail > 0 ? text.slice(-tail) : ''}`,
    truncated: true,
  };
}
