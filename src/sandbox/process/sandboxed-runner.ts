// One sandboxed interpreter (bwrap → prlimit → python/node runner) and the host side of its protocol:
// programs and host-call results go in on fd 3, host calls and run ends come out on fd 4 (JSON lines).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { RomaError, type SandboxStopReason } from '../../contracts/index.js';
import { parseGuestJson } from '../guest-json.js';
import { OutputCollector } from '../output.js';
import {
  killNamespace,
  killStrayProcesses,
  type NamespaceInit,
  namespaceInitOf,
  pauseRunner,
  resumeRunner,
  runnerPidOf,
  runnerStillPaused,
} from './sandbox-processes.js';

const RunnerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('initialized') }),
  z.object({
    type: z.literal('host-call'),
    callId: z.number().int(),
    name: z.string(),
    argsJson: z.string(),
  }),
  z.object({
    type: z.literal('done'),
    id: z.number().int(),
    exitCode: z.number().int(),
    errorType: z.string().nullable().optional(),
  }),
]);
type RunnerMessage = z.output<typeof RunnerMessageSchema>;

/** What an interpreter prints when it dies of exhausted memory (V8's fatal errors, the C library's). */
const OUT_OF_MEMORY =
  /heap out of memory|Reached heap limit|allocation failed|Cannot allocate memory|std::bad_alloc|MemoryError/i;

/** Longest control line accepted from the guest; a longer one is a protocol violation and ends the runner. */
const MAX_CONTROL_LINE_CHARS = 16_000_000;
/**
 * The runner's messages are flat objects (anything deeper is the guest writing on fd 4 itself); the
 * arguments inside a host call are checked, surrogates included, by the host-call path.
 */
const RUNNER_MESSAGE_BOUNDS = { maxChars: MAX_CONTROL_LINE_CHARS, maxDepth: 4, allowLoneSurrogates: true };

interface RunnerProgramOptions {
  timeoutMs: number;
  maxOutputChars: number;
  signal?: AbortSignal;
}

interface RunnerOutcome {
  stdout: string;
  stderr: string;
  truncated: boolean;
  exitCode: number;
  stoppedBy: SandboxStopReason | null;
  /** False when the interpreter is gone (killed or crashed); its session state is lost. */
  alive: boolean;
}

interface ActiveProgram {
  id: number;
  marker: string;
  stdout: OutputCollector;
  stderr: OutputCollector;
  stdoutTail: string;
  stderrTail: string;
  stdoutDone: boolean;
  stderrDone: boolean;
  done: { exitCode: number; errorType: string | null } | undefined;
  check: () => void;
}

/**
 * How long bwrap may take to exit after its pid namespace was killed (the kernel kills every process in it
 * and bwrap exits once they are all gone) before its process group is killed the hard way.
 */
const NAMESPACE_EXIT_WAIT_MS = 5_000;

/** The descriptor number bwrap reads the seccomp filter from (stdio index 5 of the spawn). */
export const SECCOMP_FD_IN_BWRAP = 5;

type HostCallHandler = (callId: number, name: string, argsJson: string) => void;

export class SandboxedRunner {
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private readonly control: Writable;
  private hostCallHandler: HostCallHandler | undefined;
  private program: ActiveProgram | undefined;
  private nextId = 1;
  private controlBuffer = '';
  private initializedWaiter: (() => void) | undefined;
  private exitWaiters: Array<() => void> = [];
  private startupError = '';
  dead = false;
  /** Set when the host sent SIGKILL: the runner is as good as gone even before its exit is seen. */
  private killed = false;
  exitDescription = '';
  /** The runner's pid as the host sees it (pid 2 inside the sandbox), found when it reports ready. */
  private runnerPid: number | undefined;
  /** The sandbox's pid-namespace init (bwrap's child), found when the runner reports ready. */
  private namespaceInit: NamespaceInit | undefined;
  /** The runner is SIGSTOPped: it was paused when its last run ended and is resumed by the next one. */
  private paused = false;
  private killFallback: NodeJS.Timeout | undefined;

  /** `seccompFd`: an open descriptor of the seccomp program, handed to bwrap as its fd 5 and closed here. */
  constructor(command: string[], seccompFd: number) {
    try {
      this.child = spawn(command[0]!, command.slice(1), {
        stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', seccompFd],
        detached: true,
        env: { PATH: '/usr/bin:/bin' },
      });
    } finally {
      closeSync(seccompFd);
    }
    // An idle interpreter must not keep the host process alive; a running program holds its own timer.
    this.child.unref();
    for (const stream of this.child.stdio) (stream as { unref?: () => void } | null)?.unref?.();
    this.control = this.child.stdio[3] as Writable;
    this.control.on('error', () => {});
    const fromRunner = this.child.stdio[4] as Readable;
    fromRunner.setEncoding('utf8');
    fromRunner.on('data', (chunk: string) => this.onControlData(chunk));
    this.child.stdout!.setEncoding('utf8');
    this.child.stderr!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => this.onOutput('stdout', chunk));
    this.child.stderr!.on('data', (chunk: string) => this.onOutput('stderr', chunk));
    this.ready = new Promise<void>((resolve, reject) => {
      this.readyResolve = resolve;
      this.child.once('error', (error) => reject(error));
      this.child.once('exit', () =>
        reject(new Error(`sandboxed interpreter exited at start: ${this.startupError.trim().slice(0, 500)}`)),
      );
    });
    this.ready.catch(() => {});
    this.child.once('exit', (code, signal) => {
      this.dead = true;
      clearTimeout(this.killFallback);
      this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
      for (const waiter of this.exitWaiters.splice(0)) waiter();
      this.program?.check();
    });
  }

  private readyResolve: (() => void) | undefined;
  /** Ends the running program early (from outside the guest), with the reason and what to tell it. */
  private activeStop: ((reason: SandboxStopReason, detail?: string) => void) | undefined;
  private stopDetail: string | undefined;

  /** Stops the program now running, if any (e.g. its workspace passed the quota). */
  stopActive(reason: SandboxStopReason, detail?: string): void {
    this.activeStop?.(reason, detail);
  }

  setHostCallHandler(handler: HostCallHandler | undefined): void {
    this.hostCallHandler = handler;
  }

  private onControlData(chunk: string): void {
    this.controlBuffer += chunk;
    if (this.controlBuffer.length > MAX_CONTROL_LINE_CHARS && !this.controlBuffer.includes('\n')) {
      this.kill();
      return;
    }
    let newline = this.controlBuffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.controlBuffer.slice(0, newline);
      this.controlBuffer = this.controlBuffer.slice(newline + 1);
      const parsed = parseGuestJson(RunnerMessageSchema, line, 'runner message', RUNNER_MESSAGE_BOUNDS);
      if (parsed.ok) this.onControlMessage(parsed.value);
      newline = this.controlBuffer.indexOf('\n');
    }
  }

  private onControlMessage(message: RunnerMessage): void {
    switch (message.type) {
      case 'ready':
        if (this.child.pid !== undefined) {
          this.namespaceInit = namespaceInitOf(this.child.pid);
          this.runnerPid = runnerPidOf(this.child.pid);
        }
        this.readyResolve?.();
        return;
      case 'initialized':
        this.initializedWaiter?.();
        return;
      case 'host-call':
        if (this.hostCallHandler) this.hostCallHandler(message.callId, message.name, message.argsJson);
        else this.answerHostCall(message.callId, false, `no host function named "${message.name}"`);
        return;
      case 'done':
        if (this.program && this.program.id === message.id && !this.program.done) {
          this.program.done = { exitCode: message.exitCode, errorType: message.errorType ?? null };
          this.program.check();
        }
        return;
    }
  }

  private onOutput(stream: 'stdout' | 'stderr', chunk: string): void {
    const program = this.program;
    if (!program) {
      if (stream === 'stderr') this.startupError = (this.startupError + chunk).slice(-2000);
      return;
    }
    if (stream === 'stdout' ? program.stdoutDone : program.stderrDone) return;
    const text = (stream === 'stdout' ? program.stdoutTail : program.stderrTail) + chunk;
    const collector = stream === 'stdout' ? program.stdout : program.stderr;
    const at = text.indexOf(program.marker);
    if (at >= 0) {
      collector.append(text.slice(0, at));
      if (stream === 'stdout') {
        program.stdoutTail = '';
        program.stdoutDone = true;
      } else {
        program.stderrTail = '';
        program.stderrDone = true;
      }
    } else {
      const keep = Math.min(text.length, program.marker.length - 1);
      collector.append(text.slice(0, text.length - keep));
      if (stream === 'stdout') program.stdoutTail = text.slice(text.length - keep);
      else program.stderrTail = text.slice(text.length - keep);
    }
    program.check();
  }

  private write(message: unknown): void {
    if (!this.dead) this.control.write(`${JSON.stringify(message)}\n`);
  }

  answerHostCall(callId: number, ok: boolean, payload: string): void {
    this.write({ type: 'host-result', callId, ok, payload });
  }

  /** Tells the runner which host functions to expose; resolves once it installed them. */
  async initialize(hostFunctionNames: string[], timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.initializedWaiter = undefined;
        reject(
          new RomaError('SANDBOX_FAILED', `sandboxed interpreter did not initialize in ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.initializedWaiter = () => {
        clearTimeout(timer);
        this.initializedWaiter = undefined;
        resolve();
      };
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        reject(new RomaError('SANDBOX_FAILED', `sandboxed interpreter ${this.exitDescription}`));
      });
      this.write({ type: 'init', hostFunctions: hostFunctionNames });
    });
  }

  /** Runs one program; resolves when its end marker arrived on both streams (or a limit ended it). */
  runProgram(code: string, options: RunnerProgramOptions): Promise<RunnerOutcome> {
    const id = this.nextId++;
    const marker = `\u0000${randomBytes(12).toString('hex')}\u0000`;
    return new Promise<RunnerOutcome>((resolve) => {
      let stoppedBy: SandboxStopReason | null = null;
      let settled = false;
      const stop = (reason: SandboxStopReason, detail?: string) => {
        if (stoppedBy) return;
        stoppedBy = reason;
        this.stopDetail = detail;
        this.kill();
        program.check();
      };
      const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
      const onAbort = () => stop('cancelled');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const program: ActiveProgram = {
        id,
        marker,
        stdout: new OutputCollector(options.maxOutputChars),
        stderr: new OutputCollector(options.maxOutputChars),
        stdoutTail: '',
        stderrTail: '',
        stdoutDone: false,
        stderrDone: false,
        done: undefined,
        check: () => {
          if (settled) return;
          if (!stoppedBy && (program.stdout.overLimit || program.stderr.overLimit)) {
            stop('output');
            return;
          }
          const finished = program.done && program.stdoutDone && program.stderrDone;
          if (!finished && !this.dead) return;
          settled = true;
          this.activeStop = undefined;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          this.program = undefined;
          const finish = () => resolve(this.outcome(program, stoppedBy, options));
          if (this.dead) finish();
          else void this.endRun().then(finish, finish);
        },
      };
      this.program = program;
      this.stopDetail = undefined;
      this.activeStop = stop;
      if (options.signal?.aborted) {
        stop('cancelled');
        return;
      }
      if (this.paused && this.runnerPid !== undefined) resumeRunner(this.runnerPid);
      this.paused = false;
      this.write({ type: 'run', id, code, nonce: marker.slice(1, -1) });
    });
  }

  private outcome(
    program: ActiveProgram,
    stoppedBy: SandboxStopReason | null,
    options: RunnerProgramOptions,
  ): RunnerOutcome {
    let stderr = program.stderr.text();
    let exitCode = program.done?.exitCode ?? 1;
    let reason = stoppedBy;
    if (!reason && program.done?.errorType === 'MemoryError') reason = 'memory';
    if (!reason && !program.done) {
      // Node (V8) aborts the process when its heap or RLIMIT_DATA is exhausted: that is the memory limit.
      reason = OUT_OF_MEMORY.test(stderr) ? 'memory' : 'crash';
    }
    if (reason) {
      const message =
        reason === 'timeout'
          ? `stopped after the time limit of ${options.timeoutMs} ms`
          : reason === 'cancelled'
            ? 'cancelled'
            : reason === 'output'
              ? 'stopped because the program printed far more than the output limit'
              : reason === 'memory'
                ? 'stopped at the memory limit'
                : reason === 'disk'
                  ? `stopped: ${this.stopDetail ?? 'the workspace passed its quota'}`
                  : `the interpreter ended unexpectedly (${this.exitDescription || 'no reason given'})`;
      stderr += `${stderr === '' || stderr.endsWith('\n') ? '' : '\n'}Error: ${message}\n`;
      exitCode = 124;
    }
    return {
      stdout: program.stdout.text(),
      stderr,
      truncated: program.stdout.truncated || program.stderr.truncated,
      exitCode,
      stoppedBy: reason,
      alive: !this.dead && !this.killed,
    };
  }

  /**
   * Ends a run from the host, whatever the guest did to the runner's own code: the runner is paused
   * (SIGSTOP: no timer or thread of the guest runs between runs, so none can start a process, write a file
   * or spend CPU outside a run's limits), then every other process of the sandbox is killed. When that
   * cannot be done (no known runner pid, a stray that woke the runner before it died), the whole sandbox
   * goes and the session's next run starts a fresh interpreter.
   */
  private async endRun(): Promise<void> {
    if (this.child.pid === undefined) return;
    const runner = this.runnerPid;
    // Still the runner (pid 2 under this sandbox's init), not a host process that reused a dead runner's pid.
    if (runner !== undefined && runnerPidOf(this.child.pid) === runner && (await pauseRunner(runner))) {
      this.paused = true;
      const { remaining } = await killStrayProcesses(this.child.pid, runner);
      if (remaining === 0 && runnerStillPaused(runner)) return;
    }
    this.kill();
    await this.exited(NAMESPACE_EXIT_WAIT_MS + 1_000);
  }

  /** Resolves when bwrap has exited, or after `timeoutMs`. */
  private exited(timeoutMs: number): Promise<void> {
    if (this.dead) return Promise.resolve();
    // A ref'd timer: the child is unref'd, so waiting for its exit alone would not keep the host alive.
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Kills the sandbox: its pid-namespace init, so the kernel kills every process inside and bwrap exits
   * only once they are all gone (a run that ends on a limit ends with none of its processes left).
   * Before the init is known, or if bwrap outlives NAMESPACE_EXIT_WAIT_MS, SIGKILL of bwrap's process
   * group (the init with it, --die-with-parent and the pid namespace take the rest).
   */
  kill(): void {
    if (this.dead || this.child.pid === undefined) return;
    this.killed = true;
    if (this.namespaceInit && killNamespace(this.namespaceInit, this.child.pid)) {
      this.killFallback ??= setTimeout(() => this.killGroup(), NAMESPACE_EXIT_WAIT_MS);
      this.killFallback.unref();
      return;
    }
    this.killGroup();
  }

  private killGroup(): void {
    if (this.dead || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  /** Kills the interpreter and waits (bounded) for it to be gone. */
  async close(): Promise<void> {
    if (this.dead) return;
    const gone = this.exited(NAMESPACE_EXIT_WAIT_MS + 1_000);
    this.control.end();
    this.kill();
    await gone;
  }
}
