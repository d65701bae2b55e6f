// parseWith / parseOrThrow / parseJsonWith: one-line messages naming the path; RomaError lines and JSON.

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  formatPath,
  isRomaError,
  parseJsonWith,
  parseOrThrow,
  parseWith,
  RomaError,
  toRomaError,
} from './index.js';

const Schema = z.object({ items: z.array(z.object({ name: z.string().min(1) })), count: z.number().int() });

describe('formatPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatPath(['items', 2, 'name'])).toBe('items[2].name');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath([])).toBe('');
  });
});

describe('parseWith', () => {
  it('names the first offending path with the label, counting the others', () => {
    const result = parseWith(Schema, { items: [{ name: 'a' }, { name: '' }], count: 'x' }, 'body');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(['count', 'items[1].name']);
    expect(result.message).toMatch(/^body\.(items\[1\]\.name|count): .+ \(\+1 more\)$/);
    expect(result.message).not.toContain('\n');
  });

  it('names the label alone for a root problem', () => {
    const result = parseWith(Schema, 'nope', 'body');
    expect(!result.ok && result.message.startsWith('body: ')).toBe(true);
  });
});

describe('parseOrThrow', () => {
  it('throws VALIDATION_FAILED with the field and every issue in details', () => {
    try {
      parseOrThrow(Schema, { items: [], count: 1.5 }, 'body');
      expect.unreachable();
    } catch (error) {
      expect(isRomaError(error)).toBe(true);
      const romaError = error as RomaError;
      expect(romaError.code).toBe('VALIDATION_FAILED');
      expect(romaError.field).toBe('body.count');
      expect(romaError.details?.issues).toEqual([{ path: 'count', message: expect.any(String) }]);
    }
  });
});

describe('parseJsonWith', () => {
  it('reports bad JSON and bad shape as results', () => {
    expect(parseJsonWith(Schema, '{', 'body')).toMatchObject({ ok: false });
    expect(parseJsonWith(Schema, '{"items":[],"count":2}')).toEqual({
      ok: true,
      value: { items: [], count: 2 },
    });
  });
});

describe('RomaError', () => {
  it('prints one line with code, field, message and fix, and serialises without the cause', () => {
    const error = new RomaError('CONFIG_INVALID', 'bad value', {
      field: 'engine.maxDepth',
      fix: 'use 0..10',
      cause: new Error('inner'),
    });
    expect(error.toLine()).toBe('CONFIG_INVALID engine.maxDepth: bad value — use 0..10');
    expect(error.toJSON()).toEqual({
      code: 'CONFIG_INVALID',
      message: 'bad value',
      field: 'engine.maxDepth',
      retryable: false,
      fix: 'use 0..10',
    });
    expect(new RomaError('TIMEOUT', 'slow', { retryable: true }).toLine()).toBe('TIMEOUT slow');
  });

  it('wraps foreign errors and keeps RomaErrors as they are', () => {
    const original = new RomaError('NOT_FOUND', 'x');
    expect(toRomaError(original)).toBe(original);
    expect(toRomaError(new Error('boom'), 'STORE_FAILED')).toMatchObject({
      code: 'STORE_FAILED',
      message: 'boom',
    });
    expect(toRomaError('text')).toMatchObject({ code: 'INTERNAL', message: 'text' });
  });
});
