// The tools one plan may use: its servers (narrowed by the plan's allowTools), listed through the host's clients.
import { RomaError } from '../../contracts/index.js';
import type { McpToolInfo, ToolCallOptions, ToolProvider } from '../mcp/types.js';
import { toIdentifier } from './identifiers.js';

export interface CatalogServer {
  name: string;
  /** The name as an identifier in guest code (`my-server` → `my_server`). */
  identifier: string;
  tools: McpToolInfo[];
}

export interface ToolCatalog {
  servers: CatalogServer[];
}

export interface PlanToolServers {
  servers: Array<{ name: string; allowTools?: string[] | undefined }>;
}

export async function buildToolCatalog(
  provider: ToolProvider | undefined,
  planTools: PlanToolServers,
  options: ToolCallOptions = {},
): Promise<ToolCatalog> {
  if (planTools.servers.length === 0) return { servers: [] };
  if (!provider) {
    throw new RomaError('TOOL_FAILED', 'the plan names MCP servers but no MCP servers are configured', {
      field: 'tools.servers',
      fix: 'add the servers under ptc.mcpServers in roma.config.yaml',
    });
  }
  const servers = await Promise.all(
    planTools.servers.map(async (server, index): Promise<CatalogServer> => {
      if (!provider.serverNames().includes(server.name)) {
        throw new RomaError('TOOL_FAILED', `no MCP server named ${server.name}`, {
          field: `tools.servers[${index}].name`,
          fix: `configured servers: ${provider.serverNames().join(', ') || '(none)'}`,
        });
      }
      const tools = await provider.listTools(server.name, options);
      const allowed = server.allowTools;
      return {
        name: server.name,
        identifier: toIdentifier(server.name),
        tools: allowed ? tools.filter((tool) => allowed.includes(tool.name)) : tools,
      };
    }),
  );
  return { servers };
}

export function findTool(catalog: ToolCatalog, server: string, tool: string): McpToolInfo | undefined {
  return catalog.servers.find((entry) => entry.name === server)?.tools.find((entry) => entry.name === tool);
}
