// Sandboxed code execution: the Sandbox interface (ptc/ and engine/ import only its types) and the
// isolate, process (bubblewrap) and daytona providers (wired from config by cli/ and server/).

export { createSandboxFromConfig } from './create.js';
export { MAX_HOST_CALL_JSON_CHARS, MAX_HOST_CALL_JSON_DEPTH } from './host-functions.js';
export { createIsolateSandbox } from './isolate/isolate-sandbox.js';
export { MAX_PROGRAM_BYTES } from './limits.js';
export { createProcessSandbox } from './process/process-sandbox.js';
export type {
  Sandbox,
  SandboxRunResult,
} from './sandbox.js';
export type { SelfTestReport, SelfTestStep } from './self-test.js';
export { runSandboxSelfTest } from './self-test.js';
