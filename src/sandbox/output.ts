// Bounded capture of a program's output: keeps the first `maxChars`, counts the rest, marks the cut.
import { truncationMarker } from '../contracts/truncation.js';

/** Cuts `text` to `maxChars` and appends a visible marker naming how much was dropped. */
export function truncateOutput(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  return { text: text.slice(0, maxChars) + truncationMarker(text.length - maxChars), truncated: true };
}

/**
 * Collects chunks up to `maxChars`; beyond that only counts. `overLimit` turns true once the total passes
 * `hardLimitChars`, the point where a provider stops the program (`stoppedBy: 'output'`).
 */
export class OutputCollector {
  private readonly parts: string[] = [];
  private keptChars = 0;
  private totalChars = 0;

  constructor(
    private readonly maxChars: number,
    private readonly hardLimitChars: number = hardOutputLimit(maxChars),
  ) {}

  append(chunk: string): void {
    this.totalChars += chunk.length;
    const room = this.maxChars - this.keptChars;
    if (room <= 0) return;
    const kept = chunk.length <= room ? chunk : chunk.slice(0, room);
    this.parts.push(kept);
    this.keptChars += kept.length;
  }

  get overLimit(): boolean {
    return this.totalChars > this.hardLimitChars;
  }

  get truncated(): boolean {
    return this.totalChars > this.keptChars;
  }

  text(): string {
    const kept = this.parts.join('');
    return this.truncated ? kept + truncationMarker(this.totalChars - this.keptChars) : kept;
  }
}

/** Output far past the visible bound is a runaway program: stop it once it prints 100× the bound (≥ 4 MB). */
function hardOutputLimit(maxChars: number): number {
  return Math.max(maxChars * 100, 4_000_000);
}
