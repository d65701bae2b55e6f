// The process sandbox's workspace as seen from the host: a private directory, read and written without
// ever following a symlink the guest planted (it could point at /etc/shadow on the host).
import { constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readdir, realpath } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { RomaError } from '../../contracts/index.js';
import type { SandboxFileInfo } from '../sandbox.js';
import { normalizeWorkspaceDirectory, normalizeWorkspacePath } from '../workspace-path.js';

/** Largest number of entries walked when listing or snapshotting, so a guest cannot stall the host. */
const MAX_ENTRIES = 20_000;

export class HostWorkspace {
  constructor(readonly directory: string) {}

  private async inside(path: string): Promise<string> {
    const normal = normalizeWorkspacePath(path);
    const full = join(this.directory, normal);
    const root = await realpath(this.directory);
    let parent: string;
    try {
      parent = await realpath(dirname(full));
    } catch {
      return full;
    }
    if (parent !== root && !parent.startsWith(root + sep)) {
      throw new RomaError('VALIDATION_FAILED', `path "${path}" leads outside the sandbox workspace`, {
        field: 'path',
      });
    }
    try {
      const stat = await lstat(full);
      if (stat.isSymbolicLink()) {
        throw new RomaError(
          'VALIDATION_FAILED',
          `path "${path}" is a symbolic link; the host does not follow it`,
          {
            field: 'path',
          },
        );
      }
    } catch (error) {
      if (error instanceof RomaError) throw error;
    }
    return full;
  }

  async write(path: string, content: string | Uint8Array): Promise<void> {
    const full = await this.inside(path);
    await mkdir(dirname(full), { recursive: true });
    await this.inside(path);
    // No O_TRUNC before the check below: a directory the guest swapped for a symlink meanwhile must not
    // let the host truncate a file outside the workspace.
    const handle = await this.openChecked(path, full, constants.O_WRONLY | constants.O_CREAT);
    try {
      await handle.truncate(0);
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
  }

  async read(path: string): Promise<Uint8Array> {
    const full = await this.inside(path);
    const handle = await this.openChecked(path, full, constants.O_RDONLY);
    try {
      return new Uint8Array(await handle.readFile());
    } finally {
      await handle.close();
    }
  }

  /**
   * Opens without following a final symlink and without blocking on a FIFO, then checks what was really
   * opened: a still-running guest (a Python thread outlives its run) can swap a checked file or directory
   * for a symlink between `inside()` and the open, so only the opened descriptor's own path is trusted.
   */
  private async openChecked(path: string, full: string, flags: number): Promise<FileHandle> {
    let handle: FileHandle;
    try {
      handle = await open(full, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
        throw new RomaError(
          'VALIDATION_FAILED',
          `path "${path}" is a symbolic link; the host does not follow it`,
          { field: 'path' },
        );
      }
      throw new RomaError('NOT_FOUND', `no file "${normalizeWorkspacePath(path)}" in the sandbox workspace`, {
        field: 'path',
        cause: error,
      });
    }
    try {
      const root = await realpath(this.directory);
      const opened = await realpath(`/proc/self/fd/${handle.fd}`);
      if (!opened.startsWith(root + sep)) {
        throw new RomaError('VALIDATION_FAILED', `path "${path}" leads outside the sandbox workspace`, {
          field: 'path',
        });
      }
      if (!(await handle.stat()).isFile()) {
        throw new RomaError('VALIDATION_FAILED', `path "${path}" is not a regular file`, { field: 'path' });
      }
      return handle;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Regular files only (symlinks and devices are skipped), sorted by path. */
  async list(directory?: string): Promise<SandboxFileInfo[]> {
    const prefix = normalizeWorkspaceDirectory(directory);
    const all = await this.snapshot();
    return [...all]
      .filter(([path]) => path.startsWith(prefix))
      .map(([path, stamp]) => ({ path, sizeBytes: stamp.sizeBytes }))
      .sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  }

  /**
   * Disk the workspace takes: allocated bytes (a sparse file counts what it really holds) and entries
   * (files, directories, links). The walk stops once `maxEntries` is passed: that is already over quota.
   */
  async usage(maxEntries: number): Promise<{ bytes: number; entries: number }> {
    let bytes = 0;
    let entries = 0;
    const pending = [this.directory];
    while (pending.length > 0 && entries <= maxEntries) {
      const current = pending.pop()!;
      let names: import('node:fs').Dirent[];
      try {
        names = await readdir(current, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of names) {
        if (++entries > maxEntries) break;
        const full = join(current, entry.name);
        if (entry.isDirectory()) pending.push(full);
        try {
          const stat = await lstat(full);
          bytes += Math.max(stat.blocks * 512, entry.isFile() ? stat.size : 0);
        } catch {
          // Removed meanwhile.
        }
      }
    }
    return { bytes, entries };
  }

  /** path → size and mtime of every regular file, to tell which files a run wrote. */
  async snapshot(): Promise<Map<string, { sizeBytes: number; mtimeMs: number }>> {
    const found = new Map<string, { sizeBytes: number; mtimeMs: number }>();
    const pending = [this.directory];
    let seen = 0;
    while (pending.length > 0 && seen < MAX_ENTRIES) {
      const current = pending.pop()!;
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(current, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (++seen > MAX_ENTRIES) break;
        const full = join(current, entry.name);
        if (entry.isDirectory()) pending.push(full);
        else if (entry.isFile()) {
          try {
            const stat = await lstat(full);
            found.set(relative(this.directory, full).split(sep).join('/'), {
              sizeBytes: stat.size,
              mtimeMs: stat.mtimeMs,
            });
          } catch {
            // Removed meanwhile.
          }
        }
      }
    }
    return found;
  }
}

export function changedFiles(
  before: Map<string, { sizeBytes: number; mtimeMs: number }>,
  after: Map<string, { sizeBytes: number; mtimeMs: number }>,
): string[] {
  const changed: string[] = [];
  for (const [path, stamp] of after) {
    const previous = before.get(path);
    if (!previous || previous.mtimeMs !== stamp.mtimeMs || previous.sizeBytes !== stamp.sizeBytes) {
      changed.push(path);
    }
  }
  return changed.sort();
}
