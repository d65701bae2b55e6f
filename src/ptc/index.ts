// The PTC code agent: MCP tools as code modules, host tool bridge, prompt→test→code loop, service and client.

export type { PtcAgent } from './agent/ptc-agent.js';
export { createPtcAgent } from './agent/ptc-agent.js';
export type { PtcAgentDeps } from './agent/types.js';
export { McpManager } from './mcp/mcp-manager.js';
export { authorizeMcpServer } from './mcp/oauth-authorize.js';
export type {
  McpServerState,
  McpToolInfo,
} from './mcp/types.js';
export { PtcEventHub } from './service/event-hub.js';
export { createHttpCodeAgent } from './service/http-code-agent.js';
export { publishTo, startPtcService } from './service/ptc-service.js';
