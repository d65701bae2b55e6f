// A mistyped number flag is an error naming the flag, not a silent default.
import { describe, expect, it } from 'vitest';
import type { RomaError } from '../../contracts/index.js';
import { parseIntegerOption } from './integer-option.js';

describe('parseIntegerOption', () => {
  it('accepts whole numbers in range', () => {
    expect(parseIntegerOption('--limit', '5', { min: 1, max: 100 })).toBe(5);
  });

  it.each(['abc', '', '2.5', '0', '101'])('refuses %j with the flag named', (text) => {
    let line = '';
    try {
      parseIntegerOption('--limit', text, { min: 1, max: 100 });
    } catch (error) {
      line = (error as RomaError).toLine();
    }
    expect(line).toContain(`VALIDATION_FAILED --limit: must be an integer from 1 to 100, got "${text}"`);
  });
});
