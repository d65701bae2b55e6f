// A wrong path on the command line is one NOT_FOUND line naming it, not a raw ENOENT.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readInputFile } from './input-file.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'roma-input-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('readInputFile', () => {
  it('reads a file', () => {
    writeFileSync(join(directory, 'a.jsonl'), 'x\n');
    expect(readInputFile(join(directory, 'a.jsonl'))).toBe('x\n');
  });

  it('names a missing file, a directory and a file over the limit', () => {
    expect(() => readInputFile(join(directory, 'missing.jsonl'))).toThrow(/missing\.jsonl: no such file/);
    expect(() => readInputFile(directory)).toThrow(/is a directory/);
    writeFileSync(join(directory, 'big.jsonl'), 'x'.repeat(20));
    expect(() => readInputFile(join(directory, 'big.jsonl'), { maxBytes: 10 })).toThrow(
      /larger than 10 bytes/,
    );
  });
});
