// The bubblewrap command line of one sandboxed interpreter: no network, read-only system, private
// workspace and /tmp, no capabilities, unprivileged uid, cleared environment, rlimits through prlimit.
import { systemRootEntries } from './environment.js';

export const SANDBOX_UID = 65534;
const WORKSPACE_IN_SANDBOX = '/workspace';
export const RUNNER_DIR_IN_SANDBOX = '/opt/roma';

interface BwrapCommandOptions {
  bwrapPath: string;
  prlimitPath: string;
  /** Host directory bound read-write at /workspace. */
  workspaceDir: string;
  /** Host directory holding the runner scripts, bound read-only at /opt/roma. */
  runnerDir: string;
  /** Extra read-only binds (interpreter prefixes outside /usr). */
  readOnlyPaths: string[];
  /** argv of the interpreter inside the sandbox. */
  interpreter: string[];
  /**
   * RLIMIT_DATA in bytes: private writable memory (heap, anonymous mappings, thread stacks), not address
   * space, so reserved-but-unused ranges (V8's, thread guard pages) do not count.
   */
  dataBytes: number;
  /** RLIMIT_NPROC. */
  maxTasks: number;
  /** RLIMIT_FSIZE: largest file the program may write. */
  maxFileBytes: number;
  /**
   * Host directory holding `tmp/` and `shm/`, bound at /tmp and /dev/shm: on disk under the session's
   * quota of bytes and entries, because a tmpfs counts against host memory and bubblewrap cannot bound
   * its number of entries (millions of empty files would pin kernel memory).
   */
  scratchDir: string;
  /** Descriptor (in bwrap) to read the seccomp BPF program from; see seccomp-filter.ts. */
  seccompFd: number;
  /** When the host runs as root, drop to this uid with setpriv first so RLIMIT_NPROC is enforced. */
  setprivPath: string | undefined;
}

/** `[command, ...args]`. */
export function bwrapCommand(options: BwrapCommandOptions): string[] {
  const args: string[] = [];
  if (options.setprivPath) {
    args.push(
      options.setprivPath,
      '--reuid',
      String(SANDBOX_UID),
      '--regid',
      String(SANDBOX_UID),
      '--clear-groups',
      '--',
    );
  }
  args.push(
    options.bwrapPath,
    '--unshare-all',
    // Explicit (--unshare-all only tries it): --disable-userns needs a user namespace of our own.
    '--unshare-user',
    '--disable-userns',
    '--seccomp',
    String(options.seccompFd),
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_UID),
    '--hostname',
    'sandbox',
    '--ro-bind',
    '/usr',
    '/usr',
  );
  for (const entry of systemRootEntries()) {
    if (entry.symlink) args.push('--symlink', entry.symlink, entry.path);
    else args.push('--ro-bind', entry.path, entry.path);
  }
  // A minimal /etc: the loader cache and what Python/Node read at start; never passwd/shadow/hosts of the host.
  for (const path of [
    '/etc/ld.so.cache',
    '/etc/ld.so.conf',
    '/etc/alternatives',
    '/etc/localtime',
    '/etc/ssl/certs',
  ]) {
    args.push('--ro-bind-try', path, path);
  }
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // bwrap's /dev is an unsized tmpfs (half the host's RAM): /dev/shm is the session's scratch on disk
    // and /dev itself is made read-only (device nodes still work on a read-only mount).
    '--bind',
    `${options.scratchDir}/shm`,
    '/dev/shm',
    '--remount-ro',
    '/dev',
    '--bind',
    `${options.scratchDir}/tmp`,
    '/tmp',
    '--bind',
    options.workspaceDir,
    WORKSPACE_IN_SANDBOX,
    '--ro-bind',
    options.runnerDir,
    RUNNER_DIR_IN_SANDBOX,
  );
  // After /tmp, so an interpreter installed under the host's /tmp is not hidden by the private one.
  for (const path of options.readOnlyPaths) args.push('--ro-bind', path, path);
  args.push(
    // Everything mounted so far except /tmp, /dev, /proc and /workspace becomes read-only, the root included.
    '--remount-ro',
    '/',
    '--chdir',
    WORKSPACE_IN_SANDBOX,
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/local/bin:/usr/bin:/bin',
    '--setenv',
    'HOME',
    '/tmp',
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--setenv',
    'PYTHONDONTWRITEBYTECODE',
    '1',
    '--setenv',
    'PYTHONIOENCODING',
    'utf-8',
    '--',
    options.prlimitPath,
    `--nproc=${options.maxTasks}`,
    `--fsize=${options.maxFileBytes}`,
    '--nofile=256',
    '--core=0',
  );
  args.push(`--data=${options.dataBytes}`, '--', ...options.interpreter);
  return args;
}
