// Finds what the process provider needs on this machine: bwrap, prlimit, the real Python and Node.
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
} from 'node:fs';
import { homedir, release } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { RomaError } from '../../contracts/index.js';

const INSTALL_BWRAP_FIX =
  'install bubblewrap: sudo apt-get install bubblewrap (Debian/Ubuntu), dnf install bubblewrap (Fedora); or use --provider isolate';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The bwrap binary, or SANDBOX_UNAVAILABLE saying how to install it (never a silent unsandboxed fallback). */
export function resolveBwrap(explicit?: string): string {
  if (process.platform !== 'linux') {
    throw new RomaError('SANDBOX_UNAVAILABLE', 'the process sandbox needs Linux (bubblewrap)', {
      fix: 'use --provider isolate, or daytona with DAYTONA_API_KEY',
    });
  }
  const found = explicit ?? (isExecutable('/usr/bin/bwrap') ? '/usr/bin/bwrap' : onPath('bwrap'));
  if (!found || !isExecutable(found)) {
    throw new RomaError('SANDBOX_UNAVAILABLE', 'bubblewrap (bwrap) is not installed', {
      fix: INSTALL_BWRAP_FIX,
    });
  }
  return found;
}

export function resolvePrlimit(): string {
  const found = isExecutable('/usr/bin/prlimit') ? '/usr/bin/prlimit' : onPath('prlimit');
  if (!found) {
    throw new RomaError('SANDBOX_UNAVAILABLE', 'prlimit (util-linux) is not installed', {
      fix: 'install util-linux: sudo apt-get install util-linux',
    });
  }
  return found;
}

/**
 * The real Python 3: Debian's /usr/bin/python3 first, because a version-manager shim on PATH (pyenv)
 * costs ~100 ms a start and needs its whole tree inside the sandbox.
 */
export function resolvePython(explicit?: string): string | undefined {
  if (explicit) return realpathSync(explicit);
  if (isExecutable('/usr/bin/python3')) return '/usr/bin/python3';
  const shim = onPath('python3');
  return shim ? realpathSync(shim) : undefined;
}

export function resolveNode(explicit?: string): string {
  return realpathSync(explicit ?? process.execPath);
}

/** Files whose presence marks a directory as someone's home (or a project holding credentials), never bound. */
const HOME_MARKERS = [
  '.npmrc',
  '.netrc',
  '.ssh',
  '.aws',
  '.docker',
  '.gnupg',
  '.git-credentials',
  '.pypirc',
  '.env',
  '.bashrc',
  '.profile',
  '.bash_history',
  '.config',
];

function homeDirectories(): string[] {
  const homes = new Set<string>(['/root', '/home']);
  for (const home of [homedir(), process.env.HOME]) if (home) homes.add(home);
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const home = line.split(':')[5];
      if (home && home !== '/' && home !== '/nonexistent') homes.add(home);
    }
  } catch {
    // No passwd: the markers below still catch a home directory.
  }
  return [...homes].map((home) => resolve(home));
}

function isSameOrInside(path: string, ancestor: string): boolean {
  const relation = relative(ancestor, path);
  return relation === '' || (!relation.startsWith('..') && !isAbsolute(relation));
}

/**
 * Directory to bind read-only so an interpreter outside /usr (nvm, pyenv, /opt) can run: its install
 * prefix, and only when that prefix holds nothing but the interpreter's own files. A prefix that is (or
 * holds) a home directory, or the filesystem root, or that holds credential files (`~/bin/node` has the
 * whole home as its prefix, `.npmrc` token included) is refused with SANDBOX_UNAVAILABLE.
 */
export function installPrefix(executable: string): string | undefined {
  if (executable.startsWith('/usr/')) return undefined;
  const prefix = resolve(dirname(dirname(executable)));
  const refuse = (why: string): never => {
    throw new RomaError(
      'SANDBOX_UNAVAILABLE',
      `the interpreter ${executable} lives in ${prefix}, which ${why}; the sandbox would have to expose it to the guest`,
      {
        field: 'interpreter',
        fix: 'install the interpreter in a prefix of its own (e.g. /usr, /opt/node, ~/.nvm/versions/node/vX, ~/.pyenv/versions/X) or pass nodePath/pythonPath pointing into one',
      },
    );
  };
  if (prefix === '/' || dirname(prefix) === '/') refuse('is a top-level system directory');
  for (const home of homeDirectories()) {
    if (isSameOrInside(home, prefix)) refuse(`is or contains the home directory ${home}`);
  }
  let entries: string[] = [];
  try {
    entries = readdirSync(prefix);
  } catch {
    refuse('cannot be listed');
  }
  const marker = HOME_MARKERS.find((name) => entries.includes(name));
  if (marker) refuse(`holds ${marker} (it looks like a home or project directory, not an install prefix)`);
  return prefix;
}

/** How the root's top-level system directories look here: symlinks (merged /usr) or real directories. */
export function systemRootEntries(): Array<{ path: string; symlink?: string }> {
  const entries: Array<{ path: string; symlink?: string }> = [];
  for (const path of ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32']) {
    if (!existsSync(path)) continue;
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) entries.push({ path, symlink: readlinkSync(path) });
    else if (stat.isDirectory()) entries.push({ path });
  }
  return entries;
}

/**
 * Linux counts RLIMIT_NPROC per user namespace and uid since 5.14 (ucounts): a sandbox, in a user namespace
 * of its own, starts from zero whatever else its uid runs. Before, the count was the uid's whole machine.
 */
export function nprocCountedPerUserNamespace(kernelRelease = release()): boolean {
  const [major = 0, minor = 0] = kernelRelease.split(/[.-]/).map(Number);
  return major > 5 || (major === 5 && minor >= 14);
}

/** Number of tasks (processes and threads) owned by `uid`, so RLIMIT_NPROC can leave room for a sandbox. */
export function countTasksOfUid(uid: number): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uidLine = /^Uid:\s+(\d+)/m.exec(status);
      const threads = /^Threads:\s+(\d+)/m.exec(status);
      if (uidLine && Number(uidLine[1]) === uid) count += threads ? Number(threads[1]) : 1;
    } catch {
      // The process ended while we read.
    }
  }
  return count;
}

/**
 * Starts an empty sandbox once, so a kernel that forbids unprivileged user namespaces (Ubuntu 24.04's
 * AppArmor restriction, `kernel.unprivileged_userns_clone=0`) is reported with its fix instead of failing
 * on the first run.
 */
export function probeBubblewrap(
  bwrapPath: string,
  timeoutMs = 10_000,
): { ok: true } | { ok: false; detail: string; fix: string } {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const command = [
    ...(isRoot ? ['/usr/bin/setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', '--'] : []),
    bwrapPath,
    '--unshare-all',
    '--die-with-parent',
    '--ro-bind',
    '/usr',
    '/usr',
    ...systemRootEntries().flatMap((entry) =>
      entry.symlink ? ['--symlink', entry.symlink, entry.path] : ['--ro-bind', entry.path, entry.path],
    ),
    '/usr/bin/true',
  ];
  const result = spawnSync(command[0]!, command.slice(1), {
    timeout: timeoutMs,
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin' },
  });
  if (result.status === 0) return { ok: true };
  const detail =
    (result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n')[0] ?? '';
  return {
    ok: false,
    detail: `bubblewrap cannot create a sandbox here: ${detail}`,
    fix: 'allow unprivileged user namespaces: sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04) or sudo sysctl kernel.unprivileged_userns_clone=1',
  };
}
