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
import type { Sandbox } from '../sandbox.js';
import { nprocCountedPerUserNamespace } from './environment.js';
import { createProcessSandbox } from './process-sandbox.js';
import { bwrapMissingReason } from './testing/bwrap-missing.js';

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

/** Waits (bounded) while nothing with `token` runs on the host; returns what was seen, if anything. */
async function watchForProcesses(token: string, rounds: number): Promise<number[]> {
  for (let round = 0; round < rounds; round++) {
    const found = hostProcessesWith(token);
    if (found.length > 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return [];
}

function uniqueToken(): string {
  return `${900 + Math.floor(Math.random() * 99)}.${Date.now() % 100_000}${Math.floor(Math.random() * 1000)}`;
}

describe.skipIf(skipReason !== undefined)('process sandbox: nothing of a run runs after it', () => {
  for (const language of ['python', 'javascript'] as const) {
    it(`a ${language} timer or thread left by a run starts no process until the next run`, async () => {
      const token = uniqueToken();
      const seen: number[][] = [];
      const session = await sandbox().openSession({
        hostFunctions: {
          look: async () => {
            seen.push(hostProcessesWith(token));
            return seen.at(-1)!.length;
          },
        },
      });
      const program =
        language === 'python'
          ? [
              'import subprocess, threading, time',
              'def later():',
              '    time.sleep(0.3)',
              `    subprocess.Popen(["/usr/bin/sleep", "${token}"], start_new_session=True)`,
              'threading.Thread(target=later, daemon=True).start()',
              'print("returned")',
            ].join('\n')
          : `setTimeout(() => require('child_process').spawn('/usr/bin/sleep', ['${token}'], { detached: true, stdio: 'ignore' }).unref(), 300); console.log('returned')`;
      const result = await session.run(program, { language, timeoutMs: 20_000 });
      expect(result.stdout.trim()).toBe('returned');
      // Six times the timer's delay: the process would have started long before.
      expect(await watchForProcesses(token, 36)).toEqual([]);
      // Positive control: the paused timer or thread goes on in the next run and starts its process then.
      const next = await session.run(
        language === 'python'
          ? 'import time\nfor _ in range(200):\n    if look() > 0:\n        break\n    time.sleep(0.05)'
          : 'for (let i = 0; i < 200 && (await look()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50))',
        { language, timeoutMs: 30_000 },
      );
      expect(next.stderr).toBe('');
      expect(seen.at(-1)?.length).toBe(1);
      // And it is gone with that run.
      expect(hostProcessesWith(token)).toEqual([]);
      await session.close();
    }, 60_000);
  }

  it('a run stopped at its time limit ends only once every process of it is gone (two fork bombs at once)', async () => {
    const token = uniqueToken();
    const seen: number[][] = [];
    const look = async () => {
      seen.push(hostProcessesWith(token));
      return null;
    };
    const python = await sandbox().openSession({ hostFunctions: { look } });
    const node = await sandbox().openSession({ hostFunctions: { look } });
    const busy = `while :; do :; done # ${token}`;
    const bombs = await Promise.all([
      python.run(
        [
          'import subprocess',
          'for _ in range(20):',
          '    try:',
          `        subprocess.Popen(["/bin/sh", "-c", ${JSON.stringify(busy)}], start_new_session=True)`,
          '    except OSError:',
          '        break',
          'look()',
          'while True:',
          '    try:',
          `        subprocess.Popen(["/bin/sh", "-c", ${JSON.stringify(busy)}])`,
          '    except OSError:',
          '        pass',
        ].join('\n'),
        { language: 'python', timeoutMs: 8_000 },
      ),
      node.run(
        `const { spawn } = require('child_process'); const start = () => { try { spawn('/bin/sh', ['-c', ${JSON.stringify(busy)}], { detached: true, stdio: 'ignore' }).on('error', () => {}) } catch {} }; for (let i = 0; i < 20; i++) start(); await look(); for (let i = 0; ; i++) { start(); if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve)) }`,
        { language: 'javascript', timeoutMs: 8_000 },
      ),
    ]);
    // Checked the moment both runs have ended.
    expect(hostProcessesWith(token)).toEqual([]);
    expect(bombs.map((result) => result.stoppedBy)).toEqual(['timeout', 'timeout']);
    // Positive control: the shells did run, as the host saw them during the runs.
    expect(seen.length).toBe(2);
    for (const during of seen) expect(during.length).toBeGreaterThanOrEqual(10);
    for (const [session, language] of [
      [python, 'python'],
      [node, 'javascript'],
    ] as const) {
      const after = await session.run(language === 'python' ? 'print("fine")' : 'console.log("fine")', {
        language,
      });
      expect(after.stdout.trim()).toBe('fine');
      await session.close();
    }
  }, 90_000);

  it('RLIMIT_NPROC counts per sandbox: one that holds its limit does not starve another', async () => {
    let holding: (started: string) => void = () => undefined;
    const held = new Promise<string>((resolve) => {
      holding = resolve;
    });
    let release: () => void = () => undefined;
    const released = new Promise<null>((resolve) => {
      release = () => resolve(null);
    });
    // The holder reports how many processes it holds, then keeps them until the other run is over.
    const holder = await sandbox({ maxProcesses: 48 }).openSession({
      hostFunctions: {
        holding: async (started) => {
          holding(String(started));
          return released;
        },
      },
    });
    const other = await sandbox({ maxProcesses: 48 }).openSession();
    const start = (count: number) =>
      [
        'import subprocess',
        'started = []',
        `for _ in range(${count}):`,
        '    try:',
        '        started.append(subprocess.Popen(["/usr/bin/sleep", "60"]))',
        '    except OSError as error:',
        '        print("refused", error.errno)',
        '        break',
        'print("started", len(started))',
      ].join('\n');
    const holderRun = holder.run(
      `${start(200)}\nholding("refused" if len(started) < 200 else "not refused")`,
      {
        language: 'python',
        timeoutMs: 60_000,
      },
    );
    // Positive control: the limit bites in the holder (EAGAIN well before 200).
    expect(await held).toBe('refused');
    const result = await other.run(start(40), { language: 'python', timeoutMs: 60_000 });
    release();
    expect(result.stdout).toBe('started 40\n');
    const holderResult = await holderRun;
    expect(holderResult.stdout).toMatch(/^refused 11\nstarted \d+\n$/);
    await holder.close();
    await other.close();
  }, 90_000);
});

/** A uid no account uses, for running a host process as a plain user when the tests run as root. */
const PLAIN_UID = 60_001;

/**
 * Runs `script` (an ES module that may import this folder's sources) in a Node child as a non-root user:
 * through setpriv as PLAIN_UID when the tests run as root, else as the current user. Undefined, with the
 * reason, when that user cannot read the sources (a worktree under a 0700 directory).
 */
function runAsPlainUser(script: string): { stdout: string; stderr: string } | { skip: string } {
  const directory = mkdtempSync(join(tmpdir(), 'roma-plain-user-'));
  chmodSync(directory, 0o755);
  const path = join(directory, 'child.mts');
  writeFileSync(path, script, { mode: 0o644 });
  const isRoot = process.getuid?.() === 0;
  // `[command, ...args]` as the plain user.
  const asUser = (command: string[]): string[] =>
    isRoot
      ? [
          '/usr/bin/setpriv',
          '--reuid',
          String(PLAIN_UID),
          '--regid',
          String(PLAIN_UID),
          '--clear-groups',
          '--',
          ...command,
        ]
      : command;
  const source = new URL('./process-sandbox.ts', import.meta.url).pathname;
  try {
    const [testCommand, ...testArgs] = asUser(['/usr/bin/test', '-r', source]);
    if (spawnSync(testCommand!, testArgs).status !== 0) {
      return { skip: `uid ${isRoot ? PLAIN_UID : process.getuid?.()} cannot read ${source}` };
    }
    const [command, ...args] = asUser([process.execPath, '--import', 'tsx', path]);
    const child = spawnSync(command!, args, {
      encoding: 'utf8',
      timeout: 120_000,
      env: { PATH: '/usr/bin:/bin', HOME: directory },
    });
    return { stdout: child.stdout ?? '', stderr: child.stderr ?? '' };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe.skipIf(skipReason !== undefined)('process sandbox: RLIMIT_NPROC for a plain user', () => {
  it('knows which kernels count RLIMIT_NPROC per user namespace (5.14 and later)', () => {
    expect(nprocCountedPerUserNamespace('5.13.19-generic')).toBe(false);
    expect(nprocCountedPerUserNamespace('5.14.0-70.el9.x86_64')).toBe(true);
    expect(nprocCountedPerUserNamespace('6.18.44-fc-v669')).toBe(true);
    expect(nprocCountedPerUserNamespace('4.19.0')).toBe(false);
  });

  it('a user already running 150 processes still gets maxProcesses in a sandbox, not 150 more', async (context) => {
    const outcome = runAsPlainUser(`
import { spawn } from 'node:child_process';
import { countTasksOfUid } from ${JSON.stringify(new URL('./environment.ts', import.meta.url).pathname)};
import { createProcessSandbox } from ${JSON.stringify(new URL('./process-sandbox.ts', import.meta.url).pathname)};
const held = Array.from({ length: 150 }, () => spawn('/usr/bin/sleep', ['60'], { stdio: 'ignore' }));
const mine = countTasksOfUid(process.getuid());
const sandbox = createProcessSandbox({ poolSize: 0, maxProcesses: 48 });
try {
  const session = await sandbox.openSession();
  const result = await session.run('import subprocess\\nstarted = []\\nfor _ in range(400):\\n    try:\\n        started.append(subprocess.Popen(["/usr/bin/sleep", "60"]))\\n    except OSError as error:\\n        print("refused", error.errno)\\n        break\\nprint("started", len(started))', { language: 'python', timeoutMs: 60_000 });
  console.log(JSON.stringify({ mine, stdout: result.stdout, stderr: result.stderr }));
} finally {
  await sandbox.close();
  for (const child of held) child.kill('SIGKILL');
}
`);
    if ('skip' in outcome) return context.skip(outcome.skip);
    const line = outcome.stdout.trim().split('\n').at(-1) ?? '';
    expect(line, outcome.stderr.slice(-2_000)).toMatch(/^\{/);
    const report = JSON.parse(line) as { mine: number; stdout: string; stderr: string };
    // Positive control: the user did run its 150 processes on the host meanwhile.
    expect(report.mine).toBeGreaterThanOrEqual(150);
    const started = Number(/^refused 11\nstarted (\d+)\n$/.exec(report.stdout)?.[1]);
    expect(started, report.stdout + report.stderr).toBeLessThan(48);
    expect(started).toBeGreaterThan(30);
  }, 180_000);
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

/** Prints one line per probe: `name ok` or `name refused <errno name>`. */
const SYSCALL_PROBE = `
import ctypes, errno, os, platform
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
numbers = {"x86_64": {"keyctl": 250}, "aarch64": {"keyctl": 219}}[platform.machine()]
def report(name, result):
    code = ctypes.get_errno()
    print(name, "ok" if result >= 0 else "refused " + errno.errorcode.get(code, str(code)), flush=True)
params = ctypes.create_string_buffer(120)
report("io_uring", libc.syscall(425, ctypes.c_uint(1), params))
report("keyctl", libc.syscall(numbers["keyctl"], 0, ctypes.c_int(-3), 1))
pid = os.fork()
if pid == 0:
    # In a child, so the probe's own namespaces stay as they were.
    CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
    result = libc.unshare(CLONE_NEWUSER | CLONE_NEWNS)
    report("userns", result)
    os._exit(0)
os.waitpid(pid, 0)
report("fork", 0)
`;

function probeOutsideSandbox(): Record<string, string> {
  const result = spawnSync('/usr/bin/python3', ['-c', SYSCALL_PROBE], { encoding: 'utf8', timeout: 20_000 });
  return parseProbe(result.stdout ?? '');
}

function parseProbe(text: string): Record<string, string> {
  const seen: Record<string, string> = {};
  for (const line of text.trim().split('\n')) {
    const [name, ...rest] = line.split(' ');
    if (name) seen[name] = rest.join(' ');
  }
  return seen;
}

describe.skipIf(skipReason !== undefined)('process sandbox: seccomp and user namespaces', () => {
  const outside = skipReason === undefined ? probeOutsideSandbox() : {};
  for (const probe of ['io_uring', 'keyctl', 'userns'] as const) {
    it(`refuses ${probe} inside the sandbox (the same probe succeeds outside it)`, async (context) => {
      if (outside[probe] !== 'ok') {
        context.skip(
          `the probe fails outside the sandbox too (${outside[probe] ?? 'no answer'}), so it proves nothing`,
        );
      }
      const session = await sandbox().openSession();
      const result = await session.run(SYSCALL_PROBE, { language: 'python', timeoutMs: 20_000 });
      const inside = parseProbe(result.stdout);
      expect(inside.fork).toBe('ok');
      expect(inside[probe]).toMatch(/^refused E(PERM|NOSPC|NOSYS)$/);
      await session.close();
    }, 60_000);
  }

  it('a nested user namespace cannot be made from Node either (child_process, the unshare tool)', async () => {
    const session = await sandbox().openSession();
    const result = await session.run(
      "const r = require('child_process').spawnSync('/usr/bin/unshare', ['-Urm', '/usr/bin/id', '-u'], { encoding: 'utf8' }); console.log(r.status, (r.stdout + r.stderr).trim())",
      { language: 'javascript', timeoutMs: 20_000 },
    );
    expect(result.stdout).not.toMatch(/^0 0$/m);
    expect(result.stdout).toMatch(/unshare failed|Operation not permitted|No space left/);
    await session.close();
  }, 60_000);
});

describe.skipIf(skipReason !== undefined)('process sandbox: sized mounts and the workspace quota', () => {
  it('/dev is read-only, and /dev/shm and /tmp are on disk under the quota (600 MiB in 8 MiB files is stopped)', async () => {
    const quotaBytes = 48 * 1024 * 1024;
    const session = await sandbox({ workspaceMaxBytes: quotaBytes }).openSession();
    // Files of 8 MiB, each below the file-size limit: only the quota can stop 600 MiB of them.
    const fill = (directory: string) =>
      [
        'import errno, os',
        `os.makedirs(${JSON.stringify(directory)}, exist_ok=True)`,
        'written = 0',
        'try:',
        '    while written < (600 << 20):',
        `        with open(${JSON.stringify(directory)} + "/%d" % (written >> 23), "wb") as out:`,
        '            out.write(b"x" * (8 << 20))',
        '        written += 8 << 20',
        '    print("ok", written >> 20)',
        'except OSError as error:',
        '    print("refused", errno.errorcode.get(error.errno), "after", written >> 20, "MiB")',
      ].join('\n');
    const device = await session.run(
      'open("/dev/null", "w").write("fine")\ntry:\n    open("/dev/roma-file", "w")\nexcept OSError as error:\n    print("dev", error.strerror)',
      { language: 'python' },
    );
    expect(device.stdout.trim()).toBe('dev Read-only file system');
    for (const directory of ['/dev/shm/big', '/tmp/big']) {
      const result = await session.run(fill(directory), { language: 'python', timeoutMs: 30_000 });
      expect(result.stdout).not.toContain('ok 600');
      expect(result.stoppedBy, result.stdout).toBe('disk');
      expect(result.stderr).toContain(`quota of ${quotaBytes} bytes`);
      const cleaned = await session.run(
        `import shutil\nshutil.rmtree(${JSON.stringify(directory)})\nprint("cleaned")`,
        {
          language: 'python',
        },
      );
      expect(cleaned.stdout.trim()).toBe('cleaned');
    }
    await session.close();
  }, 60_000);

  it('stops a program that fills the workspace past its byte quota, and refuses a host write past it', async () => {
    const quotaBytes = 32 * 1024 * 1024;
    const session = await sandbox({ workspaceMaxBytes: quotaBytes, workspaceMaxFiles: 500 }).openSession();
    // Positive control: within the quota, writing works.
    const within = await session.run('open("ok.bin", "wb").write(b"x" * (8 << 20))\nprint("wrote")', {
      language: 'python',
    });
    expect(within.stdout.trim()).toBe('wrote');
    expect(within.stoppedBy).toBeNull();
    const result = await session.run(
      'import itertools\nfor index in itertools.count():\n    open("fill-%d.bin" % index, "wb").write(b"x" * (4 << 20))',
      { language: 'python', timeoutMs: 30_000 },
    );
    expect(result.stoppedBy).toBe('disk');
    expect(result.exitCode).toBe(124);
    expect(result.stderr).toContain(`quota of ${quotaBytes} bytes`);
    await expect(session.writeFile('more.bin', new Uint8Array(quotaBytes))).rejects.toMatchObject({
      code: 'SANDBOX_LIMIT',
    });
    // The program can clean up, and the session works again.
    const cleaned = await session.run(
      'import glob, os\nfor path in glob.glob("fill-*.bin"):\n    os.remove(path)\nprint("cleaned")',
      { language: 'python' },
    );
    expect(cleaned.stdout.trim()).toBe('cleaned');
    expect(cleaned.stoppedBy).toBeNull();
    await session.close();
  }, 90_000);

  for (const directory of ['many', '/tmp/many', '/dev/shm/many']) {
    it(`stops a program that creates more files than the quota allows (empty files in ${directory})`, async () => {
      const session = await sandbox({ workspaceMaxFiles: 300 }).openSession();
      const result = await session.run(
        `import itertools, os\nos.makedirs("${directory}", exist_ok=True)\nfor index in itertools.count():\n    open("${directory}/%d" % index, "w").close()`,
        { language: 'python', timeoutMs: 30_000 },
      );
      expect(result.stoppedBy).toBe('disk');
      expect(result.stderr).toContain('quota of 300 files');
      await session.close();
    }, 60_000);
  }
});

describe.skipIf(skipReason !== undefined)('process sandbox: memory counts memory, not address space', () => {
  it('runs a 64-thread ThreadPoolExecutor and gathers 64 acall()s at the default memory limit', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const session = await sandbox().openSession({
      hostFunctions: {
        slow: async (value) => {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 50));
          inFlight--;
          return Number(value) * 2;
        },
      },
    });
    const threads = await session.run(
      [
        'import concurrent.futures, threading',
        'barrier = threading.Barrier(64)',
        'def work(index):',
        '    barrier.wait(timeout=20)',
        '    return slow(index)',
        'with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:',
        '    print(sum(pool.map(work, range(64))))',
      ].join('\n'),
      { language: 'python', timeoutMs: 30_000 },
    );
    expect(threads.stderr).toBe('');
    expect(threads.stdout.trim()).toBe(String(2 * ((63 * 64) / 2)));
    const gathered = await session.run(
      'import asyncio, roma_host\nvalues = await asyncio.gather(*(roma_host.acall("slow", index) for index in range(64)))\nprint(sum(values), len(values))',
      { language: 'python', timeoutMs: 30_000 },
    );
    expect(gathered.stderr).toBe('');
    expect(gathered.stdout.trim()).toBe(`${2 * ((63 * 64) / 2)} 64`);
    expect(mostInFlight).toBeGreaterThanOrEqual(32);
    await session.close();
  }, 90_000);

  it('bounds Node memory outside the V8 heap too (Buffers count against memoryMb)', async () => {
    const session = await sandbox().openSession();
    const result = await session.run(
      'const blocks = []; for (let i = 0; i < 128; i++) blocks.push(Buffer.alloc(8 << 20, 1)); console.log("allocated", blocks.length * 8, "MiB")',
      { language: 'javascript', memoryMb: 128, timeoutMs: 30_000 },
    );
    expect(result.stdout).not.toContain('allocated 1024 MiB');
    expect(result.exitCode).not.toBe(0);
    // Positive control: the same program within the limit.
    const small = await session.run(
      'const blocks = []; for (let i = 0; i < 4; i++) blocks.push(Buffer.alloc(8 << 20, 1)); console.log("allocated", blocks.length * 8, "MiB")',
      { language: 'javascript', memoryMb: 128 },
    );
    expect(small.stdout.trim()).toBe('allocated 32 MiB');
    await session.close();
  }, 60_000);
});

describe.skipIf(skipReason !== undefined)(
  'process sandbox: the quota and a thread that outlives its run',
  () => {
    it('the thread writes nothing between runs, and the quota stops it in the next run', async () => {
      const quotaBytes = 32 * 1024 * 1024;
      const session = await sandbox({ workspaceMaxBytes: quotaBytes }).openSession();
      const started = await session.run(
        [
          'import threading, time',
          'def fill():',
          '    time.sleep(0.3)',
          '    for index in range(100):',
          '        open("later-%d.bin" % index, "wb").write(b"x" * (4 << 20))',
          '        time.sleep(0.05)',
          'threading.Thread(target=fill, daemon=True).start()',
          'print("returned")',
        ].join('\n'),
        { language: 'python' },
      );
      expect(started.stdout.trim()).toBe('returned');
      expect(started.stoppedBy).toBeNull();
      // Far longer than the thread needs to start writing: between runs it is paused with its interpreter.
      for (let attempt = 0; attempt < 10; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await session.listFiles()).toEqual([]);
      }
      // Positive control: the next run lets it go on, and the quota stops that run.
      const next = await session.run('import time\ntime.sleep(20)', {
        language: 'python',
        timeoutMs: 30_000,
      });
      expect(next.stoppedBy).toBe('disk');
      expect(next.stderr).toContain(`quota of ${quotaBytes} bytes`);
      const heldBytes = (await session.listFiles()).reduce((sum, file) => sum + file.sizeBytes, 0);
      expect(heldBytes).toBeLessThan(4 * quotaBytes);
      const cleaned = await session.run(
        'import os\nfor name in os.listdir("."):\n    os.remove(name)\nprint("cleaned")',
        {
          language: 'python',
        },
      );
      expect(cleaned.stdout.trim()).toBe('cleaned');
      await session.close();
    }, 60_000);
  },
);
