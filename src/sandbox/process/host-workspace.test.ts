// The host's reads and writes of a process workspace while a guest (running during the read) swaps files under it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostWorkspace } from './host-workspace.js';

const cleanups: string[] = [];
afterEach(() => {
  for (const directory of cleanups.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function setup(): { workspace: HostWorkspace; directory: string; secret: string } {
  const outside = mkdtempSync(join(tmpdir(), 'roma-host-secret-'));
  const directory = mkdtempSync(join(tmpdir(), 'roma-host-workspace-'));
  cleanups.push(outside, directory);
  const secret = join(outside, 'secret.txt');
  writeFileSync(secret, 'HOST_SECRET_CONTENT');
  return { workspace: new HostWorkspace(directory), directory, secret };
}

/** Runs `swap` right after the workspace's last own path check, as a racing guest thread would. */
function swapAfterCheck(workspace: HostWorkspace, swap: () => void, checks = 1): void {
  const target = workspace as unknown as { inside(path: string): Promise<string> };
  const original = target.inside.bind(workspace);
  let calls = 0;
  target.inside = async (path: string) => {
    const full = await original(path);
    if (++calls === checks) swap();
    return full;
  };
}

describe('HostWorkspace', () => {
  it('does not read a host file through a symlink swapped in after the check', async () => {
    const { workspace, directory, secret } = setup();
    const artifact = join(directory, 'a.txt');
    writeFileSync(artifact, 'fine');
    swapAfterCheck(workspace, () => {
      unlinkSync(artifact);
      symlinkSync(secret, artifact);
    });
    const read = workspace.read('a.txt').then((bytes) => new TextDecoder().decode(bytes));
    await expect(read).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('does not read through a directory swapped for a symlink after the check', async () => {
    const { workspace, directory, secret } = setup();
    execFileSync('mkdir', ['-p', join(directory, 'results')]);
    writeFileSync(join(directory, 'results', 'secret.txt'), 'fine');
    swapAfterCheck(workspace, () => {
      rmSync(join(directory, 'results'), { recursive: true });
      symlinkSync(join(secret, '..'), join(directory, 'results'));
    });
    await expect(workspace.read('results/secret.txt')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('does not truncate or overwrite a host file through a symlink swapped in before a write', async () => {
    const { workspace, directory, secret } = setup();
    const file = join(directory, 'b.txt');
    writeFileSync(file, 'fine');
    swapAfterCheck(
      workspace,
      () => {
        rmSync(file, { force: true });
        symlinkSync(secret, file);
      },
      2,
    );
    await expect(workspace.write('b.txt', 'overwritten')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(readFileSync(secret, 'utf8')).toBe('HOST_SECRET_CONTENT');
  });

  it('refuses a FIFO instead of blocking the host on it', async () => {
    const { workspace, directory } = setup();
    execFileSync('mkfifo', [join(directory, 'pipe.txt')]);
    await expect(workspace.read('pipe.txt')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
