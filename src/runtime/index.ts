// The runtime: one explicit wiring of store, cache, models, sandboxes, MCP and code agent, called by every front end.

export { warmingCache, withCacheStore } from './cache-admin.js';
export type { Runtime, RuntimeOptions } from './open-runtime.js';
export { openRuntime } from './open-runtime.js';
export type { PtcRuntime, PtcRuntimeOptions } from './ptc-agent.js';
export { openPtcRuntime } from './ptc-agent.js';
export type { RunCache } from './run-cache.js';
export { openRunCache } from './run-cache.js';
export type { Sandboxes } from './sandboxes.js';
export { openSandboxes } from './sandboxes.js';
export { openTools } from './tools.js';
