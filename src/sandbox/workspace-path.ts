// Workspace-relative paths: one normal form for every provider, and no way out of the workspace.
import { posix } from 'node:path';
import { RomaError } from '../contracts/index.js';

/** `./a//b.txt` → `a/b.txt`; rejects empty, absolute-escaping and `..` paths with VALIDATION_FAILED. */
export function normalizeWorkspacePath(path: string): string {
  const trimmed = path.replace(/\\/g, '/').replace(/^\/workspace\//, '');
  const normal = posix.normalize(trimmed).replace(/^(\.\/)+/, '');
  if (
    normal === '' ||
    normal === '.' ||
    normal.startsWith('/') ||
    normal === '..' ||
    normal.startsWith('../') ||
    normal.includes('\0')
  ) {
    throw new RomaError('VALIDATION_FAILED', `path "${path}" is outside the sandbox workspace`, {
      field: 'path',
      fix: 'use a path relative to the workspace, e.g. results/output.json',
    });
  }
  return normal.replace(/\/$/, '');
}

/** Normalized directory prefix for listing; '' means the whole workspace. */
export function normalizeWorkspaceDirectory(directory: string | undefined): string {
  if (directory === undefined || directory === '' || directory === '.' || directory === '/') return '';
  return `${normalizeWorkspacePath(directory)}/`;
}
