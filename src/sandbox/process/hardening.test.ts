// Attacks on the bubblewrap sandbox's own limits (issue 10, items 6–9; issue 14, item 3): sized writable
// mounts and a workspace quota, no process outliving its run, a seccomp filter, no home directory bound, and
// memory that counts memory so Python threads work. Each negative check has its positive control.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRomaError } from '../../contracts/index.js';
import type { Sandbox } from '../sandbox.js';
import { probeBubblewrap, resolveBwrap } from './environment.js';
import { createProcessSandbox } from './process-sandbox.js';

function bwrapMissingReason(): string | undefined {
  try {
    const probe = probeBubblewrap(resolveBwrap());
    return probe.ok ? undefined : `${probe.detail} — ${probe.fix}`;
  } catch (error) {
    return isRomaError(error) ? `${error.message} — ${error.fix}` : String(error);
  }
}
const skipReason = bwrapMissingReason();

/** Host pids whose command line contains `token` (the host's own view, outside any sandbox). */
function hostProcessesWith(token: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (commandLine.includes(token) && state.slice(state.lastIndexOf(')') + 2)[0] !== 'Z')
        found.push(Number(entry));
    } catch {
      // Ended while we read.
    }
  }
  return found;
}

const sandboxes: Sandbox[] = [];
function sandbox(options: Parameters<typeof createProcessSandbox>[0] = {}): Sandbox {
  const created = createProcessSandbox({ poolSize: 0, ...options });
  sandboxes.push(created);
  return created;
}
afterAll(async () => {
  await Promise.all(sandboxes.map((each) => each.close()));
}, 30_000);

describe.skipIf(skipReason !== undefined)('process sandbox: no process outlives its run', () => {
  for (const language of ['python', 'javascript'] as const) {
    it(`kills what a ${language} program leaves behind, even after the guest disabled the runner's own cleanup`, async () => {
      const token = `${900 + Math.floor(Math.random() * 99)}.${Date.now() % 100_000}`;
      const seenDuringRun: number[][] = [];
      const session = await sandbox().openSession({
        hostFunctions: {
          // Positive control: the stray exists while the run is still going.
          look: async () => {
            seenDuringRun.push(hostProcessesWith(token));
            return null;
          },
        },
      });
      const program =
        language === 'python'
          ? [
              'import __main__, subprocess, os',
              // What a guest could do against a killer living in the runner's own module.
              'for name in dir(__main__):',
              '    if "kill" in name or "reap" in name:',
              '        setattr(__main__, name, lambda *a, **k: None)',
              `subprocess.Popen(["/usr/bin/sleep", "${token}"], start_new_session=True)`,
              `if os.fork() == 0:\n    os.setsid()\n    os.execv("/usr/bin/sleep", ["sleep", "${token}"])`,
              'import time\ntime.sleep(0.2)',
              'look()',
              'print("left behind")',
            ].join('\n')
          : [
              "const { spawn } = require('child_process');",
              `spawn('/usr/bin/sleep', ['${token}'], { detached: true, stdio: 'ignore' }).unref();`,
              `spawn('/bin/sh', ['-c', 'sleep ${token} & sleep ${token}'], { detached: true, stdio: 'ignore' }).unref();`,
              'await new Promise((resolve) => setTimeout(resolve, 200));',
              'await look();',
              "console.log('left behind');",
            ].join('\n');
      const result = await session.run(program, { language, timeoutMs: 20_000 });
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('left behind');
      expect(seenDuringRun[0]?.length).toBeGreaterThanOrEqual(2);
      expect(hostProcessesWith(token)).toEqual([]);
      // The runner itself survived: the session is still usable.
      const next = await session.run(language === 'python' ? 'print("next")' : 'console.log("next")', {
        language,
      });
      expect(next.stdout.trim()).toBe('next');
      await session.close();
    }, 60_000);
  }
});

describe.skipIf(skipReason !== undefined)('process sandbox: interpreter prefix', () => {
  it('refuses an interpreter whose prefix is a home directory instead of exposing ~/.npmrc', async () => {
    const home = mkdtempSync(join(tmpdir(), 'roma-fake-home-'));
    chmodSync(home, 0o755);
    try {
      writeFileSync(join(home, '.npmrc'), '//registry.npmjs.org/:_authToken=npm_SECRET_TOKEN_4242\n');
      mkdirSync(join(home, 'bin'));
      const nodeCopy = join(home, 'bin', 'node');
      try {
        linkSync(process.execPath, nodeCopy);
      } catch {
        writeFileSync(nodeCopy, readFileSync(process.execPath), { mode: 0o755 });
      }
      const session = await sandbox({ nodePath: nodeCopy }).openSession();
      const attempt = session.run(
        "console.log(require('fs').readFileSync(require('path').dirname(process.execPath) + '/../.npmrc', 'utf8'))",
        { language: 'javascript' },
      );
      await expect(attempt).rejects.toMatchObject({
        code: 'SANDBOX_UNAVAILABLE',
        message: expect.stringContaining('holds .npmrc'),
        fix: expect.stringContaining('prefix of its own'),
      });
      // Positive control: the same binary in a prefix of its own runs, and sees only that prefix.
      const prefix = join(home, '.local', 'node-v20');
      mkdirSync(join(prefix, 'bin'), { recursive: true });
      linkSync(nodeCopy, join(prefix, 'bin', 'node'));
      const ownSession = await sandbox({ nodePath: join(prefix, 'bin', 'node') }).openSession();
      const result = await ownSession.run(
        "const fs = require('fs'); console.log(process.execPath); console.log(fs.readdirSync('HOME').join(',')); try { fs.statSync('HOME/.npmrc'); console.log('visible') } catch { console.log('absent') }".replaceAll(
          'HOME',
          home,
        ),
        { language: 'javascript' },
      );
      expect(result.stdout).toBe(`${join(prefix, 'bin', 'node')}\n.local\nabsent\n`);
      expect(result.stdout).not.toContain('npm_SECRET_TOKEN_4242');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
