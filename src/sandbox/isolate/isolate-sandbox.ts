// The isolate provider (default): JavaScript/TypeScript in QuickJS WebAssembly inside a worker thread.
import { randomUUID } from 'node:crypto';
import { RomaError } from '../../contracts/index.js';
import { assertHostFunctionNames, HostCallLimiter, MAX_HOST_CALL_JSON_CHARS } from '../host-functions.js';
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
import { normalizeWorkspaceDirectory, normalizeWorkspacePath } from '../workspace-path.js';
import { BoundedFiles } from './bounded-files.js';
import type { FromWorkerMessage, WorkerRunEndMessage } from './protocol.js';
import { type IsolateWorker, IsolateWorkerPool } from './worker-pool.js';

export const ISOLATE_CAPABILITIES: SandboxCapabilities = Object.freeze({
  languages: Object.freeze(['typescript', 'javascript'] as const),
  stateful: true,
  hostFunctions: true,
});

/** Time a guest gets past its interrupt deadline before its worker thread is terminated. */
const TERMINATE_GRACE_MS = 1_000;
const OPEN_TIMEOUT_MS = 30_000;

interface IsolateSandboxOptions {
  defaults?: Partial<SandboxDefaults>;
  /** Warm workers kept ready (default 2; 0 = start one per session). */
  poolSize?: number;
  /**
   * V8 heap of each worker thread, which transpiles TypeScript (default 512; the guest's own heap is
   * `memoryMb`). A worker that exhausts it ends only its run (`stoppedBy: 'memory'`).
   */
  workerHeapMb?: number;
}

export function createIsolateSandbox(options: IsolateSandboxOptions = {}): Sandbox {
  return new IsolateSandbox(options);
}

class IsolateSandbox implements Sandbox {
  readonly provider = 'isolate' as const;
  readonly capabilities = ISOLATE_CAPABILITIES;
  private readonly pool: IsolateWorkerPool;
  private readonly defaults: ResolvedDefaults;
  private readonly sessions = new Set<IsolateSession>();

  constructor(options: IsolateSandboxOptions) {
    const heapMb = options.workerHeapMb;
    if (heapMb !== undefined && !(Number.isInteger(heapMb) && heapMb >= 16)) {
      const message = `workerHeapMb must be a whole number of at least 16, got ${heapMb}`;
      throw new RomaError('VALIDATION_FAILED', message, { field: 'workerHeapMb' });
    }
    this.defaults = resolveDefaults(options.defaults);
    this.pool = new IsolateWorkerPool({
      size: options.poolSize ?? 2,
      ...(heapMb === undefined ? {} : { heapMb }),
    });
    this.pool.fill();
  }

  async openSession(options: SandboxSessionOptions = {}): Promise<SandboxSession> {
    const hostFunctions = options.hostFunctions ?? {};
    const names = assertHostFunctionNames(hostFunctions);
    const files = new BoundedFiles();
    for (const [path, content] of Object.entries(options.files ?? {})) {
      setHostFile(files, normalizeWorkspacePath(path), toText(content), `files.${path}`);
    }
    const session = new IsolateSession(this.pool, this.defaults, hostFunctions, names, files, () =>
      this.sessions.delete(session),
    );
    await session.start(options.timeoutMs ?? OPEN_TIMEOUT_MS, options.signal);
    this.sessions.add(session);
    return session;
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.close()));
    await this.pool.close();
  }
}

interface PendingRun {
  runId: number;
  written: Set<string>;
  finish: (message: WorkerRunEndMessage | { type: 'exit' | 'cancelled' }) => void;
}

class IsolateSession implements SandboxSession {
  readonly id = randomUUID();
  readonly provider = 'isolate' as const;
  readonly capabilities = ISOLATE_CAPABILITIES;
  private worker: IsolateWorker | undefined;
  private pending: PendingRun | undefined;
  private nextRunId = 1;
  private closed = false;
  private readonly queue = new SerialQueue();
  private readonly hostCalls: HostCallLimiter;

  constructor(
    private readonly pool: IsolateWorkerPool,
    private readonly defaults: ResolvedDefaults,
    hostFunctions: HostFunctions,
    private readonly hostFunctionNames: string[],
    private readonly files: BoundedFiles,
    private readonly onClose: () => void,
  ) {
    this.hostCalls = new HostCallLimiter(hostFunctions);
  }

  async start(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const worker = await this.pool.acquire(timeoutMs, signal);
    worker.attach(
      (message) => this.onMessage(worker, message),
      () => this.pending?.finish({ type: 'exit' }),
    );
    worker.post({
      type: 'open',
      hostFunctionNames: this.hostFunctionNames,
      maxHostCallJsonChars: MAX_HOST_CALL_JSON_CHARS,
      files: this.files.entries(),
    });
    this.worker = worker;
  }

  private onMessage(worker: IsolateWorker, message: FromWorkerMessage): void {
    switch (message.type) {
      case 'host-call': {
        this.hostCalls.handle(message.name, message.argsJson, (outcome) => {
          if (this.worker !== worker) return;
          worker.post({
            type: 'host-result',
            callId: message.callId,
            ok: outcome.ok,
            payload: outcome.ok ? outcome.json : outcome.error,
          });
        });
        return;
      }
      case 'file-written':
        // The worker applied the same bounds before it sent this; a refusal here cannot happen, and must not
        // throw on the host either way.
        if (this.files.refusal(message.path, message.content) !== undefined) return;
        this.files.set(message.path, message.content);
        this.pending?.written.add(message.path);
        return;
      case 'run-end':
        if (this.pending?.runId === message.runId) this.pending.finish(message);
        return;
      default:
        return;
    }
  }

  run(code: string, options: SandboxRunOptions = {}): Promise<SandboxRunResult> {
    return this.queue.push(() => this.runNow(code, options));
  }

  private async runNow(code: string, options: SandboxRunOptions): Promise<SandboxRunResult> {
    if (this.closed) throw new RomaError('SANDBOX_FAILED', 'the sandbox session is closed');
    const limits = resolveRunLimits(this.defaults, options, ISOLATE_CAPABILITIES.languages);
    // Before the worker sees it: an unbounded program would make the transpile exhaust the worker's heap.
    assertProgramSize(code);
    const started = performance.now();
    if (options.signal?.aborted) return cancelledBeforeStart(started);
    if (!this.worker || this.worker.dead) await this.start(OPEN_TIMEOUT_MS, options.signal);
    const worker = this.worker!;
    const runId = this.nextRunId++;
    this.hostCalls.startRun();
    const written = new Set<string>();
    const outcome = await new Promise<WorkerRunEndMessage | { type: 'exit' | 'timeout' | 'cancelled' }>(
      (resolve) => {
        let settled = false;
        let cancelTimer: NodeJS.Timeout | undefined;
        const finish = (message: WorkerRunEndMessage | { type: 'exit' | 'timeout' | 'cancelled' }) => {
          if (settled) return;
          settled = true;
          clearTimeout(wallClock);
          clearTimeout(cancelTimer);
          options.signal?.removeEventListener('abort', onAbort);
          this.pending = undefined;
          resolve(message);
        };
        const wallClock = setTimeout(
          () => finish({ type: 'timeout' }),
          limits.timeoutMs + TERMINATE_GRACE_MS,
        );
        const onAbort = () => {
          worker.requestCancel();
          worker.post({ type: 'cancel', runId });
          cancelTimer = setTimeout(() => finish({ type: 'cancelled' }), TERMINATE_GRACE_MS);
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        this.pending = { runId, written, finish };
        worker.post({
          type: 'run',
          runId,
          code,
          language: limits.language,
          reservedNames: this.hostFunctionNames,
          timeoutMs: limits.timeoutMs,
          memoryMb: limits.memoryMb,
          maxOutputChars: limits.maxOutputChars,
        });
      },
    );
    const durationMs = performance.now() - started;
    const filesCreated = [...written].sort();
    if (outcome.type === 'run-end') {
      let stderr = outcome.stderr;
      if (outcome.stoppedBy === 'memory') {
        // What filled the heap may still be referenced from globals: the next run gets a fresh runtime.
        await this.replaceWorker();
        stderr += "the session's interpreter state was reset (workspace files are kept)\n";
      }
      return {
        stdout: outcome.stdout,
        stderr,
        exitCode: outcome.exitCode,
        durationMs,
        truncated: outcome.truncated,
        filesCreated,
        stoppedBy: outcome.stoppedBy,
      };
    }
    // The guest outran its interrupt (or the thread died): end the thread; the next run gets a fresh one.
    await this.replaceWorker();
    const stoppedBy = outcome.type !== 'exit' ? outcome.type : worker.outOfMemory ? 'memory' : 'crash';
    const reason =
      outcome.type === 'timeout'
        ? `stopped after the time limit of ${limits.timeoutMs} ms`
        : outcome.type === 'cancelled'
          ? 'cancelled'
          : worker.outOfMemory
            ? 'the isolate worker ran out of its heap while transpiling or running the program'
            : `the isolate worker crashed${worker.exitReason ? ` (${worker.exitReason})` : ''}`;
    return {
      stdout: '',
      stderr: `Error: ${reason}; the session's interpreter state was reset (workspace files are kept)\n`,
      exitCode: 124,
      durationMs,
      truncated: false,
      filesCreated,
      stoppedBy,
    };
  }

  private async replaceWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    await worker.terminate();
    this.pool.release(worker);
  }

  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    this.assertOpen();
    const normal = normalizeWorkspacePath(path);
    const text = toText(content);
    setHostFile(this.files, normal, text, 'path');
    this.worker?.post({ type: 'file-set', path: normal, content: text });
  }

  async readFile(path: string): Promise<Uint8Array> {
    return new TextEncoder().encode(await this.readTextFile(path));
  }

  async readTextFile(path: string): Promise<string> {
    this.assertOpen();
    const normal = normalizeWorkspacePath(path);
    const text = this.files.get(normal);
    if (text === undefined) {
      throw new RomaError('NOT_FOUND', `no file "${normal}" in the sandbox workspace`, { field: 'path' });
    }
    return text;
  }

  async listFiles(directory?: string): Promise<SandboxFileInfo[]> {
    this.assertOpen();
    const prefix = normalizeWorkspaceDirectory(directory);
    return this.files
      .entries()
      .filter(([path]) => path.startsWith(prefix))
      .map(([path, text]) => ({ path, sizeBytes: Buffer.byteLength(text) }))
      .sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const busy = this.pending !== undefined;
    // A run still going is ended by the host, not by a fault of the isolate.
    this.pending?.finish({ type: 'cancelled' });
    const worker = this.worker;
    this.worker = undefined;
    // A worker still running a guest program cannot go back to the pool.
    if (worker && busy) await worker.terminate();
    if (worker) this.pool.release(worker);
    this.onClose();
  }

  private assertOpen(): void {
    if (this.closed) throw new RomaError('SANDBOX_FAILED', 'the sandbox session is closed');
  }
}

function setHostFile(files: BoundedFiles, path: string, text: string, field: string): void {
  const refused = files.refusal(path, text);
  if (refused) {
    throw new RomaError(
      'SANDBOX_LIMIT',
      `cannot write "${path.slice(0, 200)}" to the sandbox workspace: ${refused}`,
      {
        field,
        fix: 'write fewer or smaller files with shorter paths, or remove some first',
      },
    );
  }
  files.set(path, text);
}

function toText(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : new TextDecoder().decode(content);
}

function cancelledBeforeStart(started: number): SandboxRunResult {
  return {
    stdout: '',
    stderr: 'Error: cancelled before the run started\n',
    exitCode: 124,
    durationMs: performance.now() - started,
    truncated: false,
    filesCreated: [],
    stoppedBy: 'cancelled',
  };
}
