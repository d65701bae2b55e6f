// Messages between the isolate session (main thread) and its QuickJS worker; structured-clone only.
import type { CodeLanguage, SandboxStopReason } from '../../contracts/index.js';

export interface WorkerOpenMessage {
  type: 'open';
  hostFunctionNames: string[];
  /** The host's bound of one call's argument JSON: longer text is refused before it leaves QuickJS. */
  maxHostCallJsonChars: number;
  files: Array<[string, string]>;
}
export interface WorkerRunMessage {
  type: 'run';
  runId: number;
  /** The guest's program as written: the worker transpiles and wraps it (`prepareProgram`) within the run's
   * time limit, so a program that is slow to transpile stalls only its own worker thread. */
  code: string;
  language: CodeLanguage;
  /** Host function names, never copied to globals by the program's declarations. */
  reservedNames: string[];
  timeoutMs: number;
  memoryMb: number;
  maxOutputChars: number;
}
export interface WorkerHostResultMessage {
  type: 'host-result';
  callId: number;
  ok: boolean;
  /** JSON text of the value when ok, the error message otherwise. */
  payload: string;
}
export interface WorkerFileSetMessage {
  type: 'file-set';
  path: string;
  content: string;
}
export interface WorkerCancelMessage {
  type: 'cancel';
  runId: number;
}
/** Frees the guest's runtime so the worker can go back to the pool clean. */
export interface WorkerResetMessage {
  type: 'reset';
}
export type ToWorkerMessage =
  | WorkerOpenMessage
  | WorkerRunMessage
  | WorkerHostResultMessage
  | WorkerFileSetMessage
  | WorkerCancelMessage
  | WorkerResetMessage;

export interface WorkerReadyMessage {
  type: 'ready';
}
export interface WorkerOpenedMessage {
  type: 'opened';
}
export interface WorkerHostCallMessage {
  type: 'host-call';
  callId: number;
  name: string;
  argsJson: string;
}
export interface WorkerFileWrittenMessage {
  type: 'file-written';
  path: string;
  content: string;
}
export interface WorkerRunEndMessage {
  type: 'run-end';
  runId: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  exitCode: number;
  stoppedBy: SandboxStopReason | null;
}
export interface WorkerMemoryMessage {
  type: 'memory';
  heapBytes: number;
}
export type FromWorkerMessage =
  | WorkerReadyMessage
  | WorkerOpenedMessage
  | WorkerHostCallMessage
  | WorkerFileWrittenMessage
  | WorkerRunEndMessage
  | WorkerMemoryMessage;
