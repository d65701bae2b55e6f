// The process's MCP clients: one manager over `ptc.mcpServers`, connecting each server on first use.
import type { RomaConfig } from '../config/index.js';
import { McpManager } from '../ptc/index.js';

export function openTools(config: RomaConfig): McpManager {
  return new McpManager({ servers: config.ptc.mcpServers });
}
