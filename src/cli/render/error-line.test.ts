// What a user reads when a command fails: the field once, then the message and the fix.
import { describe, expect, it } from 'vitest';
import { RomaError } from '../../contracts/index.js';
import { errorLine } from './error-line.js';

describe('errorLine', () => {
  it('names the field once when the message already starts with it', () => {
    const error = new RomaError('VALIDATION_FAILED', 'run.jsonl:1: not valid JSON', { field: 'run.jsonl:1' });
    expect(errorLine(error)).toBe('roma: VALIDATION_FAILED run.jsonl:1: not valid JSON');
  });

  it('keeps the field and the fix otherwise', () => {
    const error = new RomaError('NOT_FOUND', 'no run x in the store', { field: 'id', fix: 'roma runs list' });
    expect(errorLine(error)).toBe('roma: NOT_FOUND id: no run x in the store — roma runs list');
  });
});
