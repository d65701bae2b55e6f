// Whole-number flags (`--limit`, `--wait-ms`, …): a typo is refused with the flag named, never silently replaced.
import { RomaError } from '../../contracts/index.js';

export function parseIntegerOption(flag: string, text: string, bounds: { min: number; max: number }): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new RomaError(
      'VALIDATION_FAILED',
      `must be an integer from ${bounds.min} to ${bounds.max}, got "${text}"`,
      {
        field: flag,
        fix: `pass e.g. ${flag} ${Math.min(Math.max(bounds.min, 10), bounds.max)}`,
      },
    );
  }
  return value;
}
