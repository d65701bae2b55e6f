// A pool of warm isolate workers (QuickJS loaded, thread started) that hides creation cost; a worker that
// was terminated is dropped and replaced in the background.
import { Worker } from 'node:worker_threads';
import { RomaError } from '../../contracts/index.js';
import type { FromWorkerMessage, ToWorkerMessage } from './protocol.js';
import { type CompiledWasmModule, compiledQuickJsModule } from './wasm-module.js';
import { isolateWorkerUrl } from './worker-entry.js';

/** The precompiled module, or undefined so the worker compiles its own (slower, still correct). */
async function wasmModuleOrUndefined(): Promise<CompiledWasmModule | undefined> {
  try {
    return await compiledQuickJsModule();
  } catch {
    return undefined;
  }
}

/**
 * The worker thread's native stack: 64× QuickJS's own 512 KB bound (worker.ts), so deep guest nesting always
 * meets QuickJS's catchable "stack overflow" before V8's, which would unwind through the interpreter.
 */
const WORKER_STACK_MB = 32;

/**
 * The worker thread's own V8 heap (the guest's heap is QuickJS's WebAssembly memory, bounded by `memoryMb`).
 * It holds the transpile: sucrase needs up to ~260 MB for a dense program of MAX_PROGRAM_BYTES (limits.ts);
 * twice that keeps a worker far from its limit, where ending only the worker is best-effort (see below).
 */
const DEFAULT_WORKER_HEAP_MB = 512;

/**
 * The worker's young generation, set rather than left to Node: Node 24 sizes it from the heap (192 MB for a
 * 256 MB old generation; Node 20 and 22: 48 MB). At the heap limit Node grants the worker 16 MB more and asks
 * V8 to stop it; one scavenge can promote most of the young generation at once, and past that allowance V8's
 * out-of-memory is fatal to the whole process. A bare worker transpiling 5.5 MB of TypeScript into a 256 MB heap
 * aborted Node 24 in 7 of 13 trials with 192 MB, in 0 of 13 with 48 MB and 0 of 8 with 16 MB (no slower);
 * 1 MiB of `a;` into 128 MB: 4 of 4 with 192 MB, 0 of 4 with 16 MB.
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/** A worker thread running worker.ts, with the shared flag used to cancel a busy guest. */
export class IsolateWorker {
  readonly control = new Int32Array(new SharedArrayBuffer(4));
  private readonly worker: Worker;
  private listener: ((message: FromWorkerMessage) => void) | undefined;
  private exitListener: (() => void) | undefined;
  private readyWait!: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void };
  dead = false;
  exitReason: string | undefined;

  /** Set when the worker ended because its V8 heap reached its limit. */
  outOfMemory = false;

  constructor(wasmModule: CompiledWasmModule | undefined, heapMb: number = DEFAULT_WORKER_HEAP_MB) {
    this.armReady();
    this.worker = new Worker(isolateWorkerUrl(), {
      workerData: { control: this.control.buffer, wasmModule },
      // The worker is plain JavaScript: inheriting the parent's loaders (tsx, vitest) would triple its start.
      execArgv: [],
      // The guest heap is WebAssembly memory, bounded by QuickJS; this bounds the worker's own JS heap.
      resourceLimits: {
        maxOldGenerationSizeMb: heapMb,
        maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
        stackSizeMb: WORKER_STACK_MB,
      },
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    this.worker.on('message', (message: FromWorkerMessage) => {
      if (message.type === 'ready') this.readyWait.resolve();
      this.listener?.(message);
    });
    this.worker.on('error', (error) => {
      this.exitReason = error.message;
      if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') this.outOfMemory = true;
      this.readyWait.reject(error);
    });
    this.worker.on('exit', (code) => {
      this.dead = true;
      this.readyWait.reject(new Error(`isolate worker exited with code ${code}`));
      this.exitListener?.();
    });
  }

  /** Settles when the worker has started, or since the last reset, has freed its previous guest. */
  get ready(): Promise<void> {
    return this.readyWait.promise;
  }

  private armReady(): void {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    promise.catch(() => {});
    this.readyWait = { promise, resolve, reject };
  }

  /** Frees the guest's runtime; `ready` waits for the worker to confirm, so a failed reset is never reused. */
  reset(): void {
    this.armReady();
    this.post({ type: 'reset' });
  }

  attach(listener: (message: FromWorkerMessage) => void, onExit: () => void): void {
    this.listener = listener;
    this.exitListener = onExit;
  }

  detach(): void {
    this.listener = undefined;
    this.exitListener = undefined;
  }

  post(message: ToWorkerMessage): void {
    if (!this.dead) this.worker.postMessage(message);
  }

  requestCancel(): void {
    Atomics.store(this.control, 0, 1);
  }

  async terminate(): Promise<void> {
    this.detach();
    if (this.dead) return;
    this.dead = true;
    await this.worker.terminate();
  }
}

interface IsolatePoolOptions {
  /** Warm workers kept ready. */
  size: number;
  /** V8 heap of each worker (default DEFAULT_WORKER_HEAP_MB). */
  heapMb?: number;
}

export class IsolateWorkerPool {
  private readonly idle: IsolateWorker[] = [];
  private starting = 0;
  private closed = false;

  constructor(private readonly options: IsolatePoolOptions) {}

  /** Starts warm workers up to the pool size, without waiting for them. */
  fill(): void {
    while (!this.closed && this.idle.length + this.starting < this.options.size) {
      this.starting++;
      void this.startWarm();
    }
  }

  private async startWarm(): Promise<void> {
    let worker: IsolateWorker;
    try {
      worker = new IsolateWorker(await wasmModuleOrUndefined(), this.options.heapMb);
    } catch {
      this.starting--;
      return;
    }
    try {
      await worker.ready;
      if (this.closed) void worker.terminate();
      else this.idle.push(worker);
    } catch {
      // A worker that failed to start is dropped; acquire() starts one itself when the pool is empty.
    } finally {
      this.starting--;
    }
  }

  /** A ready worker: a warm one when there is one, else a new one (cold start). */
  async acquire(timeoutMs: number, signal?: AbortSignal): Promise<IsolateWorker> {
    if (this.closed) throw new RomaError('SANDBOX_FAILED', 'the isolate sandbox is closed');
    // Bounded by the pool size: an idle worker that died or failed its reset is dropped, the next one tried.
    while (this.idle.length > 0) {
      const candidate = this.idle.shift()!;
      if (candidate.dead) continue;
      this.fill();
      try {
        await waitReady(candidate, timeoutMs, signal);
        return candidate;
      } catch (error) {
        if (signal?.aborted) throw error;
      }
    }
    const worker = new IsolateWorker(await wasmModuleOrUndefined(), this.options.heapMb);
    this.fill();
    await waitReady(worker, timeoutMs, signal);
    return worker;
  }

  /** Returns a healthy worker (its guest freed) to the pool, or ends it when the pool is full. */
  release(worker: IsolateWorker): void {
    worker.detach();
    if (worker.dead) {
      this.fill();
      return;
    }
    if (this.closed || this.idle.length >= this.options.size) {
      void worker.terminate();
      return;
    }
    worker.reset();
    this.idle.push(worker);
  }

  get idleCount(): number {
    return this.idle.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.idle.splice(0);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

async function waitReady(worker: IsolateWorker, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      worker.ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new RomaError('SANDBOX_UNAVAILABLE', `isolate worker did not start in ${timeoutMs} ms`)),
          timeoutMs,
        );
        onAbort = () => reject(new RomaError('CANCELLED', 'opening the isolate session was cancelled'));
        if (signal?.aborted) onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } catch (error) {
    void worker.terminate();
    if (error instanceof RomaError) throw error;
    throw new RomaError(
      'SANDBOX_UNAVAILABLE',
      `isolate worker failed to start: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
