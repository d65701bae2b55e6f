// The process's MCP clients: one manager over `ptc.mcpServers`, connecting each server on first use.
import { join } from 'node:path';
import type { RomaConfig, SecretList } from '../config/index.js';
import { McpManager } from '../ptc/index.js';

/** `secrets`: the process's one list, which the manager adds every substituted `${VAR}` value to. */
export function openTools(config: RomaConfig, secrets?: SecretList): McpManager {
  return new McpManager({
    servers: config.ptc.mcpServers,
    oauthDirectory: join(config.store.dataDir, 'mcp-oauth'),
    ...(secrets ? { secrets } : {}),
  });
}
