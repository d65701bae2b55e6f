// The runtime: one explicit wiring of store, cache, models, sandboxes, MCP and code agent, called by every front end.

export { warmingCache, withCacheStore } from './cache-admin.js';
export type { Runtime } from './open-runtime.js';
export { openRuntime } from './open-runtime.js';
export { openSandboxes } from './sandboxes.js';
export { openTools } from './tools.js';
