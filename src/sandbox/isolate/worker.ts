// The isolate worker: one QuickJS runtime per session in a worker thread; the host can terminate the thread.
// From source it is bundled alone with its few modules of ours (see worker-entry.ts).
import { parentPort, workerData } from 'node:worker_threads';
import {
  newQuickJSWASMModule,
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSDeferredPromise,
  type QuickJSHandle,
  type QuickJSRuntime,
  RELEASE_SYNC,
  Scope,
} from 'quickjs-emscripten';
import type { SandboxStopReason } from '../../contracts/index.js';
import { truncationMarker } from '../../contracts/truncation.js';
import { BoundedFiles, MAX_WORKSPACE_CHARS, MAX_WORKSPACE_PATH_CHARS } from './bounded-files.js';
import { prepareProgram } from './prepare-program.js';
import type { FromWorkerMessage, ToWorkerMessage, WorkerOpenMessage, WorkerRunMessage } from './protocol.js';

/** Flag words shared with the host: [0] = cancel request (a busy guest cannot read messages). */
const control = new Int32Array(workerData.control as SharedArrayBuffer);
const port = parentPort!;
// A WebAssembly.Module compiled once by the host (wasm-module.ts); typed loosely, the lib has no wasm types.
const wasmModule = workerData.wasmModule as object | undefined;
const quickjs = wasmModule
  ? await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule: wasmModule as never }))
  : await newQuickJSWASMModule();

// QuickJS counts its C stack (wasm linear memory); the wasm frames also use the worker thread's native stack, up
// to ~20× as much (deep `eval` nesting). Both bounds keep QuickJS's own "stack overflow" first: a native
// overflow would unwind through the interpreter and leave its state undefined. See WORKER_STACK_MB.
const MAX_STACK_BYTES = 512 * 1024;
const MAX_TIMER_MS = 3_600_000;
const MAX_STACK_FRAMES = 8;

function send(message: FromWorkerMessage): void {
  port.postMessage(message);
}

class Collector {
  private parts: string[] = [];
  private kept = 0;
  total = 0;
  constructor(private readonly maxChars: number) {}
  append(chunk: string): void {
    this.total += chunk.length;
    const room = this.maxChars - this.kept;
    if (room <= 0) return;
    const piece = chunk.length <= room ? chunk : chunk.slice(0, room);
    this.parts.push(piece);
    this.kept += piece.length;
  }
  get truncated(): boolean {
    return this.total > this.kept;
  }
  text(): string {
    const kept = this.parts.join('');
    return this.truncated ? kept + truncationMarker(this.total - this.kept) : kept;
  }
}

interface ActiveRun {
  runId: number;
  deadline: number;
  stdout: Collector;
  stderr: Collector;
  hardOutputChars: number;
  memoryBytes: number;
  stop: SandboxStopReason | null;
  filesWritten: boolean;
}

/** Same rules as workspace-path.ts on the host: relative (or under /workspace/), never `..` or elsewhere. */
function normalizePath(path: string): string {
  const slashed = path.replace(/\\/g, '/').replace(/^\/workspace\//, '');
  if (slashed.startsWith('/')) throw new Error(`path "${path}" is outside the workspace`);
  const segments: string[] = [];
  for (const segment of slashed.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' || segment.includes('\0'))
      throw new Error(`path "${path}" is outside the workspace`);
    segments.push(segment);
  }
  if (segments.length === 0) throw new Error(`path "${path}" is empty`);
  return segments.join('/');
}

// Host calls settle with plain strings only (see settleHostCall): the error object and the parsed value are
// made here, in a promise job, where the interrupt handler bounds any guest code they trigger.
const PRELUDE = `(function (native, hostNamesJson, maxCallChars) {
  'use strict';
  const g = globalThis;
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const defineProperty = Object.defineProperty;
  const hostNames = parse(hostNamesJson);
  const hostError = (message) => {
    const error = new Error(String(message));
    defineProperty(error, 'name', { value: 'HostFunctionError', writable: true, configurable: true });
    throw error;
  };
  const show = (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return value.name + ': ' + value.message;
    try { const text = stringify(value); return text === undefined ? String(value) : text; }
    catch { return String(value); }
  };
  const line = (values) => values.map(show).join(' ') + '\\n';
  const out = (...values) => native.write(1, line(values));
  const err = (...values) => native.write(2, line(values));
  g.console = Object.freeze({ log: out, info: out, debug: out, error: err, warn: err });
  const resolved = Promise.resolve();
  const call = (name, args) => {
    const text = stringify(args);
    // Refused here, as a rejected call like the host's own refusal; native.call refuses it too.
    if (text.length > maxCallChars) {
      return resolved.then(() => hostError('arguments of ' + name + ': ' + text.length +
        ' chars of JSON exceed the bound of ' + maxCallChars));
    }
    return native.call(name, text).then((text) => parse(text), hostError);
  };
  for (const name of hostNames) {
    const parts = name.split('.');
    let target = g;
    for (let index = 0; index < parts.length - 1; index++) {
      const part = parts[index];
      if (typeof target[part] !== 'object' || target[part] === null) target[part] = {};
      target = target[part];
    }
    const fn = (...args) => call(name, args);
    target[parts[parts.length - 1]] = fn;
  }
  g.workspace = Object.freeze({
    writeFile: (path, text) => native.fileWrite(String(path), String(text)),
    readFile: (path) => native.fileRead(String(path)),
    listFiles: (directory) => parse(native.fileList(directory === undefined ? '' : String(directory))),
    exists: (path) => native.fileExists(String(path)),
  });
  const timers = new Map();
  let nextTimer = 1;
  g.setTimeout = (fn, ms, ...args) => {
    const id = nextTimer++;
    timers.set(id, true);
    native.sleep(Number(ms) || 0).then(() => { if (timers.delete(id) && typeof fn === 'function') fn(...args); });
    return id;
  };
  g.clearTimeout = (id) => { timers.delete(id); };
})`;

/**
 * One session's QuickJS runtime. Handle rule: every handle made here is disposed exactly once on every path,
 * because one leaked object makes JS_FreeRuntime abort the whole worker when the pool resets it. A handle a
 * function implementation returns is disposed by quickjs-emscripten; `deferred.dispose()` skips what is gone.
 */
class Guest {
  readonly runtime: QuickJSRuntime;
  readonly context: QuickJSContext;
  readonly files = new BoundedFiles();
  private readonly pendingCalls = new Map<number, QuickJSDeferredPromise>();
  private readonly pendingTimers = new Map<
    number,
    { timer: NodeJS.Timeout; deferred: QuickJSDeferredPromise }
  >();
  private nextId = 1;
  /** Set while the host settles a promise: no guest code runs then, and an interrupt would lose the value. */
  private settling = false;
  private wake: (() => void) | undefined;
  run: ActiveRun | undefined;

  constructor(open: WorkerOpenMessage) {
    // The host mirror holds the same bounds, so nothing here is refused; if it were, that file is dropped
    // rather than the worker.
    for (const [path, content] of open.files) this.setFileFromHost(path, content);
    this.runtime = quickjs.newRuntime();
    try {
      this.runtime.setMaxStackSize(MAX_STACK_BYTES);
      this.runtime.setInterruptHandler(() => this.shouldInterrupt());
      this.context = this.runtime.newContext();
      this.installPrelude(open.hostFunctionNames, open.maxHostCallJsonChars);
    } catch (error) {
      this.disposeEngine();
      throw error;
    }
  }

  private shouldInterrupt(): boolean {
    const run = this.run;
    if (!run || this.settling) return false;
    if (run.stop) return true;
    if (Atomics.load(control, 0) === 1) {
      run.stop = 'cancelled';
      return true;
    }
    if (Date.now() > run.deadline) {
      run.stop = 'interrupt';
      return true;
    }
    return false;
  }

  private setFile(path: string, content: string): void {
    this.files.set(path, content);
  }

  /** Never throws: a refused file from the host stays only on the host (which refused it first anyway). */
  setFileFromHost(path: string, content: string): void {
    try {
      this.files.set(path, content);
    } catch {}
  }

  /**
   * Guest strings are measured before they are copied into this thread's V8 heap: a guest with a large
   * `memoryMb` can build strings bigger than that heap, and a worker that reaches its heap limit may take the
   * whole host process with it (worker-pool.ts).
   */
  private installPrelude(hostFunctionNames: string[], maxHostCallJsonChars: number): void {
    const context = this.context;
    Scope.withScope((scope) => {
      const native = scope.manage(context.newObject());
      const define = (name: string, fn: (...args: QuickJSHandle[]) => QuickJSHandle | undefined) => {
        context.setProp(native, name, scope.manage(context.newFunction(name, fn)));
      };
      define('write', (stream, text) => {
        const run = this.run;
        if (!run) return undefined;
        if (guestLength(context, text) > run.hardOutputChars - run.stdout.total - run.stderr.total) {
          if (!run.stop) run.stop = 'output';
          return undefined;
        }
        const chunk = context.getString(text);
        (context.getNumber(stream) === 2 ? run.stderr : run.stdout).append(chunk);
        if (run.stdout.total + run.stderr.total > run.hardOutputChars && !run.stop) run.stop = 'output';
        return undefined;
      });
      define('call', (nameHandle, argsHandle) => {
        const name = context.getString(nameHandle);
        const length = guestLength(context, argsHandle);
        if (length > maxHostCallJsonChars) {
          // The host would refuse it too (guest-json.ts); it never leaves QuickJS.
          throw new Error(
            `arguments of ${name}: ${length} chars of JSON exceed the bound of ${maxHostCallJsonChars}`,
          );
        }
        const argsJson = context.getString(argsHandle);
        const callId = this.nextId++;
        const deferred = context.newPromise();
        this.pendingCalls.set(callId, deferred);
        send({ type: 'host-call', callId, name, argsJson });
        return deferred.handle;
      });
      define('sleep', (ms) => {
        const delay = Math.min(Math.max(0, context.getNumber(ms) || 0), MAX_TIMER_MS);
        const id = this.nextId++;
        const deferred = context.newPromise();
        const timer = setTimeout(() => {
          this.pendingTimers.delete(id);
          this.settle(deferred, true, undefined);
        }, delay);
        this.pendingTimers.set(id, { timer, deferred });
        return deferred.handle;
      });
      define('fileWrite', (pathHandle, textHandle) => {
        const path = normalizePath(guestPath(context, pathHandle));
        if (guestLength(context, textHandle) > MAX_WORKSPACE_CHARS) {
          throw new Error(`workspace is full (${MAX_WORKSPACE_CHARS} chars of paths and contents)`);
        }
        const text = context.getString(textHandle);
        this.setFile(path, text);
        if (this.run) this.run.filesWritten = true;
        send({ type: 'file-written', path, content: text });
        return undefined;
      });
      define('fileRead', (pathHandle) => {
        const path = normalizePath(guestPath(context, pathHandle));
        const text = this.files.get(path);
        if (text === undefined) throw new Error(`no such file in the workspace: ${path}`);
        return context.newString(text);
      });
      define('fileExists', (pathHandle) => {
        const path = normalizePath(guestPath(context, pathHandle));
        return this.files.has(path) ? context.true : context.false;
      });
      define('fileList', (directoryHandle) => {
        const raw = guestPath(context, directoryHandle);
        const prefix = raw === '' || raw === '.' || raw === '/' ? '' : `${normalizePath(raw)}/`;
        const paths = this.files
          .paths()
          .filter((path) => path.startsWith(prefix))
          .sort();
        return context.newString(JSON.stringify(paths));
      });
      const names = scope.manage(context.newString(JSON.stringify(hostFunctionNames)));
      const maxCallChars = scope.manage(context.newNumber(maxHostCallJsonChars));
      const preludeFn = scope.manage(context.unwrapResult(context.evalCode(PRELUDE, 'prelude.js')));
      scope.manage(
        context.unwrapResult(context.callFunction(preludeFn, context.undefined, native, names, maxCallChars)),
      );
    });
  }

  settleHostCall(callId: number, ok: boolean, payload: string): void {
    const deferred = this.pendingCalls.get(callId);
    if (!deferred) return;
    this.pendingCalls.delete(callId);
    this.settle(deferred, ok, payload);
  }

  /**
   * Settles with a string (or nothing) only: resolving with a primitive runs no guest code, so nothing here
   * can loop or throw into the worker; the prelude turns the string into a value or a HostFunctionError.
   */
  private settle(deferred: QuickJSDeferredPromise, ok: boolean, payload: string | undefined): void {
    const context = this.context;
    this.settling = true;
    // The payload is bounded by the host; the guest's memory limit applies when it parses the text.
    if (this.run) this.runtime.setMemoryLimit(-1);
    try {
      const value = payload === undefined ? undefined : context.newString(payload);
      try {
        if (ok) deferred.resolve(value);
        else deferred.reject(value);
      } finally {
        value?.dispose();
      }
    } catch (error) {
      const run = this.run;
      if (run && !run.stop) {
        run.stderr.append(
          `internal error of the isolate: ${error instanceof Error ? error.message : error}\n`,
        );
        run.stop = 'crash';
      }
    } finally {
      if (this.run) this.runtime.setMemoryLimit(this.run.memoryBytes);
      this.settling = false;
      if (deferred.alive) deferred.dispose();
    }
    this.wake?.();
  }

  cancelWake(): void {
    this.wake?.();
  }

  /** Never throws and never takes ownership of `handle`. */
  private describeError(handle: QuickJSHandle): string {
    // dump() disposes a promise handle it is given, so it gets a copy of its own.
    const copy = handle.dup();
    let value: unknown;
    try {
      value = this.context.dump(copy);
    } catch {
      return 'Uncaught exception (it could not be described)';
    } finally {
      if (copy.alive) copy.dispose();
    }
    const record = value as { name?: unknown; message?: unknown; stack?: unknown } | null;
    if (record && typeof record === 'object' && (record.name !== undefined || record.message !== undefined)) {
      const head = `${String(record.name ?? 'Error')}: ${String(record.message ?? '')}`;
      if (typeof record.stack !== 'string' || !record.stack) return head;
      // Frames of our wrapper say nothing to the program's author; deep recursion needs only a few frames.
      const frames = record.stack
        .split('\n')
        .filter((frame) => frame.trim() !== '' && !frame.includes('<eval>') && !frame.includes('prelude.js'))
        .slice(0, MAX_STACK_FRAMES);
      return frames.length > 0 ? `${head}\n${frames.join('\n')}` : head;
    }
    return `Uncaught ${typeof value === 'string' ? value : JSON.stringify(value)}`;
  }

  /** Reports a guest error and disposes its handle. */
  private reportError(handle: QuickJSHandle, run: ActiveRun): void {
    let text: string;
    try {
      text = this.describeError(handle);
    } finally {
      handle.dispose();
    }
    if (isOutOfMemory(text) && !run.stop) run.stop = 'memory';
    if (!run.stop) run.stderr.append(`${text}\n`);
  }

  private drainJobs(run: ActiveRun): void {
    for (let round = 0; round < 1000; round++) {
      const result = this.runtime.executePendingJobs();
      if (result.error) {
        this.reportError(result.error, run);
        if (run.stop) return;
        continue;
      }
      if (result.value === 0) return;
      if (run.stop) return;
    }
  }

  async execute(message: WorkerRunMessage): Promise<void> {
    const run: ActiveRun = {
      runId: message.runId,
      deadline: Date.now() + message.timeoutMs,
      stdout: new Collector(message.maxOutputChars),
      stderr: new Collector(message.maxOutputChars),
      hardOutputChars: Math.max(message.maxOutputChars * 100, 4_000_000),
      memoryBytes: message.memoryMb * 1024 * 1024,
      stop: null,
      filesWritten: false,
    };
    Atomics.store(control, 0, 0);
    this.run = run;
    this.runtime.setMemoryLimit(run.memoryBytes);
    let exitCode = 0;
    try {
      // Transpiling is inside the run's deadline: the interrupt handler cannot stop sucrase, but the host's
      // wall clock ends this thread, never the host's own event loop.
      const prepared = prepareProgram(message.code, message.language, message.reservedNames);
      // A transpile that used up the run's time ends the run, even when the host's grace let it finish.
      if (Date.now() > run.deadline) run.stop = 'timeout';
      else if (prepared.syntaxError !== undefined) {
        run.stderr.append(`${prepared.syntaxError}\n`);
        exitCode = 1;
      } else {
        exitCode = await this.evaluate(prepared.source, run);
      }
    } finally {
      this.run = undefined;
      this.runtime.setMemoryLimit(-1);
    }
    const stoppedBy = run.stop;
    let stderr = run.stderr.text();
    if (stoppedBy) {
      exitCode = 124;
      stderr += `${stderr === '' || stderr.endsWith('\n') ? '' : '\n'}${stopMessage(stoppedBy, message)}\n`;
    }
    send({
      type: 'run-end',
      runId: run.runId,
      stdout: run.stdout.text(),
      stderr,
      truncated: run.stdout.truncated || run.stderr.truncated,
      exitCode,
      stoppedBy,
    });
  }

  private async evaluate(source: string, run: ActiveRun): Promise<number> {
    const context = this.context;
    const evaluated = context.evalCode(source, 'program.js');
    if (evaluated.error) {
      this.reportError(evaluated.error, run);
      return 1;
    }
    // The wrapper from prepareProgram evaluates to [promise of the program, keep-declarations function].
    let promise: QuickJSHandle | undefined;
    let keeper: QuickJSHandle | undefined;
    try {
      promise = context.getProp(evaluated.value, 0);
      keeper = context.getProp(evaluated.value, 1);
    } finally {
      evaluated.value.dispose();
    }
    try {
      for (;;) {
        this.drainJobs(run);
        const state = context.getPromiseState(promise);
        if (state.type === 'fulfilled') {
          // For a non-promise, `value` is `promise` itself, disposed below.
          if (!state.notAPromise) state.value.dispose();
          return 0;
        }
        if (state.type === 'rejected') {
          this.reportError(state.error, run);
          return 1;
        }
        if (run.stop) return 1;
        if (this.pendingCalls.size === 0 && this.pendingTimers.size === 0) {
          run.stderr.append('Error: the program awaits a promise that nothing will settle\n');
          return 1;
        }
        await this.waitForEvent(run);
        if (Atomics.load(control, 0) === 1 && !run.stop) run.stop = 'cancelled';
        if (Date.now() > run.deadline && !run.stop) run.stop = 'timeout';
      }
    } finally {
      if (keeper) {
        this.keepDeclarations(keeper);
        keeper.dispose();
      }
      promise?.dispose();
    }
  }

  private keepDeclarations(keeper: QuickJSHandle): void {
    if (this.context.typeof(keeper) !== 'function') return;
    const run = this.run;
    // The keeper is ours, but a guest setter on globalThis could loop: give it a short deadline of its own.
    const saved = run ? { stop: run.stop, deadline: run.deadline } : undefined;
    if (run) {
      run.stop = null;
      run.deadline = Date.now() + 100;
    }
    const result = this.context.callFunction(keeper, this.context.undefined);
    if (run && saved) {
      run.stop = saved.stop;
      run.deadline = saved.deadline;
    }
    if (result.error) result.error.dispose();
    else result.value.dispose();
  }

  private waitForEvent(run: ActiveRun): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, run.deadline - Date.now()) + 1);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  /** Frees the runtime; host calls and timers still pending are dropped (their promises die with it). */
  dispose(): void {
    for (const { timer, deferred } of this.pendingTimers.values()) {
      clearTimeout(timer);
      if (deferred.alive) deferred.dispose();
    }
    this.pendingTimers.clear();
    for (const deferred of this.pendingCalls.values()) if (deferred.alive) deferred.dispose();
    this.pendingCalls.clear();
    this.disposeEngine();
  }

  private disposeEngine(): void {
    if (this.context?.alive) this.context.dispose();
    if (this.runtime.alive) this.runtime.dispose();
  }
}

/** A guest string's length (UTF-16 units), read without copying the string out of QuickJS. */
function guestLength(context: QuickJSContext, handle: QuickJSHandle): number {
  // The prelude passes only strings; their `length` cannot be redefined. (`getLength` reads objects only.)
  if (context.typeof(handle) !== 'string') return 0;
  const length = context.getProp(handle, 'length');
  try {
    return context.getNumber(length);
  } finally {
    length.dispose();
  }
}

/** A path argument, refused before the copy when far longer than any path the workspace keeps. */
function guestPath(context: QuickJSContext, handle: QuickJSHandle): string {
  const length = guestLength(context, handle);
  // Generous: a `/workspace/` prefix or `./` segments still normalize to a path within the bound.
  if (length > 4 * MAX_WORKSPACE_PATH_CHARS) {
    throw new Error(`path of ${length} chars is longer than ${MAX_WORKSPACE_PATH_CHARS}`);
  }
  return context.getString(handle);
}

function isOutOfMemory(text: string): boolean {
  return /out of memory/i.test(text);
}

function stopMessage(reason: SandboxStopReason, run: WorkerRunMessage): string {
  switch (reason) {
    case 'interrupt':
    case 'timeout':
      return `Error: stopped after the time limit of ${run.timeoutMs} ms`;
    case 'memory':
      return `Error: stopped at the memory limit of ${run.memoryMb} MB`;
    case 'output':
      return 'Error: stopped because the program printed far more than the output limit';
    case 'cancelled':
      return 'Error: cancelled';
    default:
      return `Error: stopped (${reason})`;
  }
}

let guest: Guest | undefined;
let queue: Promise<void> = Promise.resolve();

port.on('message', (message: ToWorkerMessage) => {
  switch (message.type) {
    case 'open':
      guest?.dispose();
      guest = new Guest(message);
      send({ type: 'opened' });
      return;
    case 'run': {
      const current = guest;
      if (!current) return;
      queue = queue
        .then(() => current.execute(message))
        .catch((error: unknown) => {
          send({
            type: 'run-end',
            runId: message.runId,
            stdout: '',
            stderr: `internal error of the isolate: ${error instanceof Error ? error.message : String(error)}\n`,
            truncated: false,
            exitCode: 1,
            stoppedBy: 'crash',
          });
        });
      return;
    }
    case 'host-result':
      guest?.settleHostCall(message.callId, message.ok, message.payload);
      return;
    case 'file-set':
      guest?.setFileFromHost(message.path, message.content);
      return;
    case 'cancel':
      if (guest?.run && guest.run.runId === message.runId && !guest.run.stop) guest.run.stop = 'cancelled';
      guest?.cancelWake();
      return;
    case 'reset':
      guest?.dispose();
      guest = undefined;
      send({ type: 'ready' });
      return;
  }
});

send({ type: 'ready' });
