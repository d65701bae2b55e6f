// Reads a file named on the command line, turning "no such file" and "is a directory" into one clear error.
import { readFileSync, statSync } from 'node:fs';
import { RomaError } from '../../contracts/index.js';

export function readInputFile(path: string, options: { maxBytes?: number } = {}): string {
  let size: number;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) {
      throw new RomaError('VALIDATION_FAILED', `${path} is a directory, not a file`, { field: 'file' });
    }
    size = stats.size;
  } catch (error) {
    if (error instanceof RomaError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new RomaError('NOT_FOUND', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code}`, {
      field: 'file',
      fix: 'check the path (relative paths start from the current directory)',
      cause: error,
    });
  }
  if (options.maxBytes !== undefined && size > options.maxBytes) {
    throw new RomaError('VALIDATION_FAILED', `${path} is larger than ${options.maxBytes} bytes`, {
      field: 'file',
      fix: 'split it into smaller files',
    });
  }
  return readFileSync(path, 'utf8');
}
