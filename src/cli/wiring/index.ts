// CLI wiring: concrete implementations chosen from config for the engine (store, models, cache, code agent).
export type { CodeAgentContext, CodeAgentFactory, WiredCodeAgent } from './code-agent.js';
export { createCodeAgent, registerCodeAgentFactory } from './code-agent.js';
export type { EngineRuntime, EngineRuntimeOptions } from './engine-runtime.js';
export { openEngineRuntime } from './engine-runtime.js';
export type { RunCache } from './run-cache.js';
export { openRunCache } from './run-cache.js';
