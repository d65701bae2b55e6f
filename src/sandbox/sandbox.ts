// The Sandbox interface: types only, so `ptc/` and `engine/` depend on it without any concrete provider.
import type { CodeLanguage, SandboxProviderName, SandboxStopReason } from '../contracts/index.js';

/** A value that crosses the sandbox boundary: plain JSON, nothing with a prototype of the other side. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A function of the host that guest code may call. Arguments arrive as plain JSON (copied, never
 * shared objects); the resolved value is copied back as JSON. A thrown error reaches the guest as a
 * rejected promise (isolate, Node) or a raised `HostFunctionError` (Python) carrying only the message.
 */
export type HostFunction = (...args: JsonValue[]) => Promise<JsonValue>;

/**
 * Host functions by name. A dotted name (`github.search_issues`) appears to the guest as a nested
 * object path (`github.search_issues(...)`); every segment must be an identifier.
 */
export type HostFunctions = Record<string, HostFunction>;

export interface SandboxRunOptions {
  /** Language of `code`; defaults to the provider's first language (isolate: typescript, process: python). */
  language?: CodeLanguage;
  /** Wall-clock limit of this run; the provider's configured default when absent. */
  timeoutMs?: number;
  /** Memory limit of the guest (isolate: QuickJS heap; process: address space); config default when absent. */
  memoryMb?: number;
  /** Aborting ends the run with `stoppedBy: 'cancelled'`. */
  signal?: AbortSignal;
  /** Bound of stdout and of stderr each; longer output is cut with `\n…[truncated N chars]`. */
  maxOutputChars?: number;
}

export interface SandboxRunResult {
  stdout: string;
  stderr: string;
  /** 0 on success; 1 when the program threw / raised; 124 when stopped by a limit or cancelled. */
  exitCode: number;
  durationMs: number;
  /** True when stdout or stderr was cut (the visible marker is in the text). */
  truncated: boolean;
  /** Workspace-relative paths (posix, no leading `/`) written during this run, sorted. */
  filesCreated: string[];
  /** Which limit ended the run early; null when it ran to its end (even if it failed). */
  stoppedBy: SandboxStopReason | null;
}

export interface SandboxFileInfo {
  /** Workspace-relative posix path, e.g. `results/table.csv`. */
  path: string;
  sizeBytes: number;
}

export interface SandboxSessionOptions {
  /** Functions of the host callable from guest code (see `HostFunctions`). */
  hostFunctions?: HostFunctions;
  /** Files placed in the workspace before the first run (path → content). */
  files?: Record<string, string | Uint8Array>;
  /** Bounds opening the session (worker start, sandbox creation). */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** What a provider can do, so callers choose without trying. */
export interface SandboxCapabilities {
  languages: readonly CodeLanguage[];
  /** True when a value defined by one run is visible in the next run of the same session. */
  stateful: boolean;
  /** True when `hostFunctions` are supported (Daytona: false, the guest is remote). */
  hostFunctions: boolean;
}

/** One workspace and (where stateful) one interpreter state; runs are serialized within a session. */
export interface SandboxSession {
  readonly id: string;
  readonly provider: SandboxProviderName;
  readonly capabilities: SandboxCapabilities;
  /** Never throws for a failure of the guest program: that is `exitCode`/`stderr`/`stoppedBy`. */
  run(code: string, options?: SandboxRunOptions): Promise<SandboxRunResult>;
  /** Paths are workspace-relative; `..` or absolute paths escaping the workspace are rejected. */
  writeFile(path: string, content: string | Uint8Array): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  readTextFile(path: string): Promise<string>;
  /** Every file under `directory` (default: the whole workspace), recursively, sorted by path. */
  listFiles(directory?: string): Promise<SandboxFileInfo[]>;
  /** Frees the session (returns a warm worker to the pool, deletes a remote sandbox). Idempotent. */
  close(): Promise<void>;
}

/** A configured provider; holds pools. `close()` ends them. */
export interface Sandbox {
  readonly provider: SandboxProviderName;
  readonly capabilities: SandboxCapabilities;
  openSession(options?: SandboxSessionOptions): Promise<SandboxSession>;
  close(): Promise<void>;
}

/** Builds a provider; used by conformance tests and the CLI. */
export type SandboxFactory = () => Sandbox | Promise<Sandbox>;

/** Limits that apply when a run passes none; usually from the `sandbox` config section. */
export interface SandboxDefaults {
  timeoutMs: number;
  memoryMb: number;
  maxOutputChars: number;
}
