// Sandboxed code execution: the Sandbox interface (ptc/ and engine/ import only its types) and the
// isolate, process (bubblewrap) and daytona providers (wired from config by cli/ and server/).

export { createSandboxFromConfig } from './create.js';
export type { DaytonaSandboxOptions } from './daytona/daytona-sandbox.js';
export { createDaytonaSandbox, DAYTONA_CAPABILITIES } from './daytona/daytona-sandbox.js';
export {
  MAX_HOST_CALL_JSON_CHARS,
  MAX_HOST_CALL_JSON_DEPTH,
  MAX_HOST_CALLS_PER_RUN,
  MAX_IN_FLIGHT_HOST_CALL_JSON_CHARS,
} from './host-functions.js';
export type { IsolateSandboxOptions } from './isolate/isolate-sandbox.js';
export { createIsolateSandbox, ISOLATE_CAPABILITIES } from './isolate/isolate-sandbox.js';
export { hardOutputLimit, truncateOutput, truncationMarker } from './output.js';
export { INSTALL_BWRAP_FIX } from './process/environment.js';
export type { ProcessSandboxOptions } from './process/process-sandbox.js';
export { createProcessSandbox, PROCESS_CAPABILITIES } from './process/process-sandbox.js';
export type {
  HostFunction,
  HostFunctions,
  JsonValue,
  Sandbox,
  SandboxCapabilities,
  SandboxDefaults,
  SandboxFactory,
  SandboxFileInfo,
  SandboxRunOptions,
  SandboxRunResult,
  SandboxSession,
  SandboxSessionOptions,
} from './sandbox.js';
export type { SelfTestReport, SelfTestStep } from './self-test.js';
export { runSandboxSelfTest } from './self-test.js';
