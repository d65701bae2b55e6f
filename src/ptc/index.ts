// The PTC code agent: MCP tools as code modules, host tool bridge, prompt→test→code loop, service and client.

// The PTC result cache's plan identity lives in the cache folder; these names are kept for callers of ptc.
export { ptcCacheKey as planCacheKey, ptcPlanHash as planHash } from '../cache/ptc-result-cache.js';
export { directToolName } from './agent/direct-loop.js';
export { boundOutput } from './agent/output-bound.js';
export type { PtcAgent } from './agent/ptc-agent.js';
export { createInProcessCodeAgent, createPtcAgent } from './agent/ptc-agent.js';
export { parseReply } from './agent/reply-parser.js';
export type { PtcAgentDeps, PtcMode } from './agent/types.js';
export type { McpManagerOptions } from './mcp/mcp-manager.js';
export { createMcpManager, McpManager } from './mcp/mcp-manager.js';
export type {
  JsonSchema,
  McpServerState,
  McpServerStatus,
  McpToolInfo,
  ToolCallOptions,
  ToolCallOutput,
  ToolProvider,
} from './mcp/types.js';
export { pythonModule } from './modules/python-module.js';
export type { CatalogServer, ToolCatalog } from './modules/tool-catalog.js';
export { buildToolCatalog } from './modules/tool-catalog.js';
export { toolDoc } from './modules/tool-docs.js';
export { typescriptModule } from './modules/typescript-module.js';
export { toolWorkspaceFiles } from './modules/workspace-files.js';
export type { PtcExecutionDoneMessage, PtcStreamMessage } from './service/event-hub.js';
export { PtcEventHub } from './service/event-hub.js';
export type { HttpCodeAgentOptions } from './service/http-code-agent.js';
export { createHttpCodeAgent } from './service/http-code-agent.js';
export type { PtcServiceOptions, RunningPtcService } from './service/ptc-service.js';
export { createPtcServiceApp, PTC_EVENTS_PATH, publishTo, startPtcService } from './service/ptc-service.js';
