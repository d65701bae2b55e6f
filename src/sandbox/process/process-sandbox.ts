// The process provider: Python 3 (stateful) or Node in bubblewrap on Linux, with a warm pool of
// pre-started sandboxed Python interpreters.
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CodeLanguage, RomaError } from '../../contracts/index.js';
import { assertHostFunctionNames, HostCallLimiter } from '../host-functions.js';
import { assertProgramSize, type ResolvedDefaults, resolveDefaults, resolveRunLimits } from '../limits.js';
import type {
  HostFunctions,
  Sandbox,
  SandboxCapabilities,
  SandboxDefaults,
  SandboxFileInfo,
  SandboxRunOptions,
  SandboxRunResult,
  SandboxSession,
  SandboxSessionOptions,
} from '../sandbox.js';
import { SerialQueue } from '../serial-queue.js';
import { bwrapCommand, RUNNER_DIR_IN_SANDBOX, SANDBOX_UID } from './bwrap-command.js';
import {
  countTasksOfUid,
  installPrefix,
  nprocCountedPerUserNamespace,
  resolveBwrap,
  resolveNode,
  resolvePrlimit,
  resolvePython,
} from './environment.js';
import { changedFiles, HostWorkspace } from './host-workspace.js';
import { nodeStartReservationMb } from './node-reservation.js';
import { NODE_RUNNER } from './node-runner.js';
import { PYTHON_RUNNER } from './python-runner.js';
import { SandboxedRunner, SECCOMP_FD_IN_BWRAP } from './sandboxed-runner.js';
import { seccompFilterBytes, seccompSupported } from './seccomp-filter.js';

export const PROCESS_CAPABILITIES: SandboxCapabilities = Object.freeze({
  languages: Object.freeze(['python', 'javascript'] as const),
  stateful: true,
  hostFunctions: true,
});

const START_TIMEOUT_MS = 15_000;
const MAX_FILE_BYTES = 256 * 1024 * 1024;
/**
 * Node's own data before any program (V8's code and worker threads' stacks, ~50 MiB): added to its
 * RLIMIT_DATA, while `--max-old-space-size` gives the program's heap `memoryMb`.
 */
const NODE_BASELINE_MB = 64;
/** Default workspace quota: bytes on the host's disk (allocated blocks) and entries (files, dirs, links). */
export const DEFAULT_WORKSPACE_MAX_BYTES = 512 * 1024 * 1024;
export const DEFAULT_WORKSPACE_MAX_FILES = 10_000;
/** How often a running program's workspace is measured against the quota. */
const QUOTA_CHECK_INTERVAL_MS = 200;
const REFILL_DELAY_MS = 100;

export interface ProcessSandboxOptions {
  defaults?: Partial<SandboxDefaults>;
  /** Warm Python interpreters kept ready (default 2). */
  poolSize?: number;
  /** Processes + threads the sandbox may add (RLIMIT_NPROC headroom; default 256). */
  maxProcesses?: number;
  bwrapPath?: string;
  pythonPath?: string;
  nodePath?: string;
  /** Quota of the session's workspace on the host's disk (default 512 MiB). */
  workspaceMaxBytes?: number;
  /** Quota of files, directories and links in the workspace (default 10,000). */
  workspaceMaxFiles?: number;
}

/** Throws SANDBOX_UNAVAILABLE (with the apt-get fix) when bubblewrap is missing; never falls back. */
export function createProcessSandbox(options: ProcessSandboxOptions = {}): Sandbox {
  return new ProcessSandbox(options);
}

interface Toolchain {
  bwrapPath: string;
  prlimitPath: string;
  pythonPath: string | undefined;
  nodePath: string;
  runnerDir: string;
  baseDir: string;
  setprivPath: string | undefined;
  maxProcesses: number;
  workspaceMaxBytes: number;
  workspaceMaxFiles: number;
}

class ProcessSandbox implements Sandbox {
  readonly provider = 'process' as const;
  readonly capabilities = PROCESS_CAPABILITIES;
  private readonly toolchain: Toolchain;
  private readonly defaults: ResolvedDefaults;
  private readonly poolSize: number;
  private readonly warm: Array<{ runner: SandboxedRunner; workspaceDir: string; memoryMb: number }> = [];
  private starting = 0;
  private closed = false;
  private readonly sessions = new Set<ProcessSession>();

  constructor(options: ProcessSandboxOptions) {
    const bwrapPath = resolveBwrap(options.bwrapPath);
    const prlimitPath = resolvePrlimit();
    if (!seccompSupported()) {
      throw new RomaError(
        'SANDBOX_UNAVAILABLE',
        `the process sandbox has no seccomp filter for ${process.arch}`,
        {
          fix: 'use --provider isolate (or daytona); the process sandbox runs on x86-64 and arm64 Linux',
        },
      );
    }
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (isRoot && !existsSync('/usr/bin/setpriv')) {
      throw new RomaError(
        'SANDBOX_UNAVAILABLE',
        'running as root, the process sandbox needs setpriv (util-linux)',
        {
          fix: 'install it: sudo apt-get install util-linux',
        },
      );
    }
    const baseDir = mkdtempSync(join(tmpdir(), 'roma-sandbox-'));
    chmodSync(baseDir, 0o755);
    const runnerDir = join(baseDir, 'runner');
    mkdirSync(runnerDir, { mode: 0o755 });
    writeFileSync(join(runnerDir, 'runner.py'), PYTHON_RUNNER, { mode: 0o644 });
    writeFileSync(join(runnerDir, 'runner.cjs'), NODE_RUNNER, { mode: 0o644 });
    writeFileSync(join(baseDir, 'seccomp.bpf'), seccompFilterBytes(), { mode: 0o644 });
    this.toolchain = {
      bwrapPath,
      prlimitPath,
      pythonPath: resolvePython(options.pythonPath),
      nodePath: resolveNode(options.nodePath),
      runnerDir,
      baseDir,
      // As root, RLIMIT_NPROC is not enforced: run the sandbox as host uid 65534 so it is.
      setprivPath: isRoot ? '/usr/bin/setpriv' : undefined,
      maxProcesses: options.maxProcesses ?? 256,
      workspaceMaxBytes: options.workspaceMaxBytes ?? DEFAULT_WORKSPACE_MAX_BYTES,
      workspaceMaxFiles: options.workspaceMaxFiles ?? DEFAULT_WORKSPACE_MAX_FILES,
    };
    this.defaults = resolveDefaults(options.defaults);
    this.poolSize = this.toolchain.pythonPath ? (options.poolSize ?? 2) : 0;
    // Workspaces are temp dirs: remove them even when the host exits without close().
    process.once('exit', this.removeOnExit);
    this.fill();
  }

  private readonly removeOnExit = (): void => removeDirectory(this.toolchain.baseDir);

  /** A fresh workspace and, beside it, its scratch directory (the guest's /tmp and /dev/shm). */
  newWorkspaceDir(): string {
    const directory = join(this.toolchain.baseDir, `ws-${randomUUID()}`);
    const scratch = scratchDirOf(directory);
    for (const path of [directory, scratch, join(scratch, 'tmp'), join(scratch, 'shm')]) {
      mkdirSync(path, { mode: 0o700 });
      if (this.toolchain.setprivPath) chownSync(path, SANDBOX_UID, SANDBOX_UID);
    }
    return directory;
  }

  startRunner(language: CodeLanguage, workspaceDir: string, memoryMb: number): SandboxedRunner {
    const toolchain = this.toolchain;
    let interpreter: string[];
    const readOnlyPaths: string[] = [];
    if (language === 'python') {
      if (!toolchain.pythonPath) {
        throw new RomaError('SANDBOX_UNAVAILABLE', 'no Python 3 interpreter found for the process sandbox', {
          fix: 'install it: sudo apt-get install python3',
        });
      }
      const prefix = installPrefix(toolchain.pythonPath);
      if (prefix) readOnlyPaths.push(prefix);
      interpreter = [toolchain.pythonPath, '-I', `${RUNNER_DIR_IN_SANDBOX}/runner.py`];
    } else {
      const prefix = installPrefix(toolchain.nodePath);
      if (prefix) readOnlyPaths.push(prefix);
      interpreter = [
        toolchain.nodePath,
        `--max-old-space-size=${memoryMb}`,
        `${RUNNER_DIR_IN_SANDBOX}/runner.cjs`,
      ];
    }
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    // Where the count is the uid's across the machine (root's setpriv uid aside), leave room for what it runs.
    const maxTasks =
      toolchain.setprivPath || nprocCountedPerUserNamespace()
        ? toolchain.maxProcesses
        : countTasksOfUid(uid) + toolchain.maxProcesses;
    return new SandboxedRunner(
      bwrapCommand({
        bwrapPath: toolchain.bwrapPath,
        prlimitPath: toolchain.prlimitPath,
        workspaceDir,
        runnerDir: toolchain.runnerDir,
        readOnlyPaths,
        interpreter,
        dataBytes:
          (memoryMb +
            (language === 'python' ? 0 : NODE_BASELINE_MB + nodeStartReservationMb(toolchain.nodePath))) *
          1024 *
          1024,
        maxTasks,
        maxFileBytes: Math.min(MAX_FILE_BYTES, toolchain.workspaceMaxBytes),
        scratchDir: scratchDirOf(workspaceDir),
        seccompFd: SECCOMP_FD_IN_BWRAP,
        setprivPath: toolchain.setprivPath,
      }),
      openSync(join(toolchain.baseDir, 'seccomp.bpf'), 'r'),
    );
  }

  private fill(): void {
    while (!this.closed && this.warm.length + this.starting < this.poolSize) {
      this.starting++;
      const workspaceDir = this.newWorkspaceDir();
      const memoryMb = this.defaults.memoryMb;
      let runner: SandboxedRunner;
      try {
        runner = this.startRunner('python', workspaceDir, memoryMb);
      } catch {
        this.starting--;
        return;
      }
      runner.ready.then(
        () => {
          this.starting--;
          if (this.closed) {
            void runner.close();
            removeWorkspace(workspaceDir);
          } else this.warm.push({ runner, workspaceDir, memoryMb });
        },
        () => {
          this.starting--;
          removeWorkspace(workspaceDir);
        },
      );
    }
  }

  /** A warm Python interpreter with its own fresh workspace, when one is ready and fits `memoryMb`. */
  takeWarm(memoryMb: number): { runner: SandboxedRunner; workspaceDir: string } | undefined {
    const index = this.warm.findIndex((entry) => !entry.runner.dead && entry.memoryMb === memoryMb);
    if (index < 0) return undefined;
    const [entry] = this.warm.splice(index, 1);
    // Spawning blocks this thread for milliseconds: refill after the taker's first run, not during it.
    setTimeout(() => this.fill(), REFILL_DELAY_MS).unref();
    return entry;
  }

  get defaultsForRuns(): ResolvedDefaults {
    return this.defaults;
  }

  get workspaceQuota(): { maxBytes: number; maxFiles: number } {
    return { maxBytes: this.toolchain.workspaceMaxBytes, maxFiles: this.toolchain.workspaceMaxFiles };
  }

  async openSession(options: SandboxSessionOptions = {}): Promise<SandboxSession> {
    if (this.closed) throw new RomaError('SANDBOX_FAILED', 'the process sandbox is closed');
    const hostFunctions = options.hostFunctions ?? {};
    const names = assertHostFunctionNames(hostFunctions);
    const warm = this.takeWarm(this.defaults.memoryMb);
    const workspaceDir = warm?.workspaceDir ?? this.newWorkspaceDir();
    const session = new ProcessSession(this, workspaceDir, hostFunctions, names, () =>
      this.sessions.delete(session),
    );
    this.sessions.add(session);
    try {
      for (const [path, content] of Object.entries(options.files ?? {}))
        await session.writeFile(path, content);
      if (warm) await session.adopt('python', warm.runner, this.defaults.memoryMb, options.timeoutMs);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions].map((session) => session.close()));
    await Promise.all(this.warm.splice(0).map((entry) => entry.runner.close()));
    process.off('exit', this.removeOnExit);
    removeDirectory(this.toolchain.baseDir);
  }
}

class ProcessSession implements SandboxSession {
  readonly id = randomUUID();
  readonly provider = 'process' as const;
  readonly capabilities = PROCESS_CAPABILITIES;
  private readonly runners = new Map<CodeLanguage, { runner: SandboxedRunner; memoryMb: number }>();
  private readonly workspace: HostWorkspace;
  /** The guest's /tmp and /dev/shm: not part of the workspace's files, but of its quota. */
  private readonly scratch: HostWorkspace;
  private readonly queue = new SerialQueue();
  private closed = false;
  private readonly hostCalls: HostCallLimiter;

  constructor(
    private readonly sandbox: ProcessSandbox,
    private readonly workspaceDir: string,
    hostFunctions: HostFunctions,
    private readonly hostFunctionNames: string[],
    private readonly onClose: () => void,
  ) {
    this.workspace = new HostWorkspace(workspaceDir);
    this.scratch = new HostWorkspace(scratchDirOf(workspaceDir));
    this.hostCalls = new HostCallLimiter(hostFunctions);
  }

  /** Binds a started interpreter to this session: host calls routed here, host functions installed. */
  async adopt(
    language: CodeLanguage,
    runner: SandboxedRunner,
    memoryMb: number,
    timeoutMs = START_TIMEOUT_MS,
  ): Promise<void> {
    runner.setHostCallHandler((callId, name, argsJson) => {
      this.hostCalls.handle(name, argsJson, (outcome) =>
        runner.answerHostCall(callId, outcome.ok, outcome.ok ? outcome.json : outcome.error),
      );
    });
    this.runners.set(language, { runner, memoryMb });
    await waitFor(runner.ready, timeoutMs, 'the sandboxed interpreter did not start');
    // Without host functions there is nothing to install: skip a round trip.
    if (this.hostFunctionNames.length > 0) await runner.initialize(this.hostFunctionNames, timeoutMs);
  }

  private async runnerFor(language: CodeLanguage, memoryMb: number): Promise<SandboxedRunner> {
    const current = this.runners.get(language);
    if (current && !current.runner.dead && current.memoryMb === memoryMb) return current.runner;
    if (current) await current.runner.close();
    const runner = this.sandbox.startRunner(language, this.workspaceDir, memoryMb);
    try {
      await this.adopt(language, runner, memoryMb);
    } catch (error) {
      await runner.close();
      this.runners.delete(language);
      throw new RomaError(
        'SANDBOX_UNAVAILABLE',
        `the ${language} sandbox did not start: ${(error as Error).message}`,
        { cause: error, fix: 'run `roma sandbox test --provider process` to see which step fails' },
      );
    }
    return runner;
  }

  run(code: string, options: SandboxRunOptions = {}): Promise<SandboxRunResult> {
    return this.queue.push(() => this.runNow(code, options));
  }

  private async runNow(code: string, options: SandboxRunOptions): Promise<SandboxRunResult> {
    this.assertOpen();
    const limits = resolveRunLimits(this.sandbox.defaultsForRuns, options, PROCESS_CAPABILITIES.languages);
    // Same bound as the isolate's, before the program is framed into the runner's pipe.
    assertProgramSize(code);
    const started = performance.now();
    const runner = await this.runnerFor(limits.language, limits.memoryMb);
    const before = await this.workspace.snapshot();
    this.hostCalls.startRun();
    const watch = this.watchQuota(runner);
    const outcome = await runner
      .runProgram(code, {
        timeoutMs: limits.timeoutMs,
        maxOutputChars: limits.maxOutputChars,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      .finally(() => watch.stop());
    const after = await this.workspace.snapshot();
    let stderr = outcome.stderr;
    // Written in the last moments before the program ended: the run still reports the breach.
    const overAfter = outcome.stoppedBy ? undefined : await this.overQuota();
    if (overAfter) {
      stderr += `${stderr === '' || stderr.endsWith('\n') ? '' : '\n'}Error: ${overAfter}\n`;
      outcome.stoppedBy = 'disk';
      outcome.exitCode = 124;
    }
    // After a memory error the interpreter still holds what the program allocated: start afresh.
    if (outcome.stoppedBy === 'memory' && outcome.alive) {
      await runner.close();
      outcome.alive = false;
    }
    if (!outcome.alive) {
      this.runners.delete(limits.language);
      if (limits.language === 'python')
        stderr += "the session's interpreter state was reset (workspace files are kept)\n";
    }
    return {
      stdout: outcome.stdout,
      stderr,
      exitCode: outcome.exitCode,
      durationMs: performance.now() - started,
      truncated: outcome.truncated,
      filesCreated: changedFiles(before, after),
      stoppedBy: outcome.stoppedBy,
    };
  }

  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    this.assertOpen();
    const quota = this.sandbox.workspaceQuota;
    const usage = await this.usage(quota.maxFiles);
    const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
    if (usage.bytes + size > quota.maxBytes || usage.entries + 1 > quota.maxFiles) {
      throw new RomaError(
        'SANDBOX_LIMIT',
        `writing "${path}" (${size} bytes) would pass the workspace quota of ${quota.maxBytes} bytes and ${quota.maxFiles} files (in use: ${usage.bytes} bytes, ${usage.entries} entries)`,
        {
          field: 'path',
          fix: 'write smaller or fewer files, or raise workspaceMaxBytes / workspaceMaxFiles',
        },
      );
    }
    await this.workspace.write(path, content);
  }

  /** Disk the session takes: its workspace plus the guest's /tmp and /dev/shm. */
  private async usage(maxEntries: number): Promise<{ bytes: number; entries: number }> {
    const workspace = await this.workspace.usage(maxEntries);
    const scratch = await this.scratch.usage(Math.max(0, maxEntries - workspace.entries));
    return { bytes: workspace.bytes + scratch.bytes, entries: workspace.entries + scratch.entries };
  }

  /** A sentence saying how the workspace passed its quota, or undefined when it is within it. */
  private async overQuota(): Promise<string | undefined> {
    const quota = this.sandbox.workspaceQuota;
    const usage = await this.usage(quota.maxFiles);
    if (usage.entries > quota.maxFiles) {
      return `the workspace passed its quota of ${quota.maxFiles} files and directories; delete some`;
    }
    if (usage.bytes > quota.maxBytes) {
      return `the workspace passed its quota of ${quota.maxBytes} bytes (it holds ${usage.bytes}); delete some files`;
    }
    return undefined;
  }

  /** Measures the workspace every QUOTA_CHECK_INTERVAL_MS while a program runs; stops it past the quota. */
  private watchQuota(runner: SandboxedRunner): { stop: () => void } {
    let measuring = false;
    const timer = setInterval(() => {
      if (measuring) return;
      measuring = true;
      void this.overQuota()
        .then((over) => {
          if (over) runner.stopActive('disk', over);
        })
        .finally(() => {
          measuring = false;
        });
    }, QUOTA_CHECK_INTERVAL_MS);
    return { stop: () => clearInterval(timer) };
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.assertOpen();
    return this.workspace.read(path);
  }

  async readTextFile(path: string): Promise<string> {
    return new TextDecoder().decode(await this.readFile(path));
  }

  async listFiles(directory?: string): Promise<SandboxFileInfo[]> {
    this.assertOpen();
    return this.workspace.list(directory);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.runners.values()].map(({ runner }) => runner.close()));
    this.runners.clear();
    removeWorkspace(this.workspaceDir);
    this.onClose();
  }

  private assertOpen(): void {
    if (this.closed) throw new RomaError('SANDBOX_FAILED', 'the sandbox session is closed');
  }
}

/** The scratch directory (guest /tmp and /dev/shm) that belongs to a workspace directory. */
function scratchDirOf(workspaceDir: string): string {
  return `${workspaceDir}.scratch`;
}

/** Removes a workspace and its scratch directory. */
function removeWorkspace(workspaceDir: string): void {
  removeDirectory(workspaceDir);
  removeDirectory(scratchDirOf(workspaceDir));
}

function removeDirectory(directory: string): void {
  try {
    rmSync(directory, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    // Best effort: a temp directory left behind is harmless.
  }
}

async function waitFor(promise: Promise<void>, timeoutMs: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RomaError('SANDBOX_FAILED', `${message} in ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
