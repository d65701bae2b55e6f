// roma as an MCP server (`roma mcp serve`): solve and run control for any MCP client, over stdio or HTTP.

export type { McpHttpHandler } from './http-handler.js';
export { createMcpHttpHandler } from './http-handler.js';
export { serveMcpOverStdio } from './stdio.js';
export type { SolveTaskRegistry, SolveTaskRegistryOptions } from './task-registry.js';
export { createSolveTaskRegistry } from './task-registry.js';
