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
  /** Configured servers that could not be listed (down, misconfigured): left out, said in the prompt. */
  unavailable?: Array<{ name: string; error: string }>;
}

interface PlanToolServers {
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
  for (const [index, server] of planTools.servers.entries()) {
    if (!provider.serverNames().includes(server.name)) {
      throw new RomaError('TOOL_FAILED', `no MCP server named ${server.name}`, {
        field: `tools.servers[${index}].name`,
        fix: `configured servers: ${provider.serverNames().join(', ') || '(none)'}`,
      });
    }
  }
  const listed = await Promise.all(
    planTools.servers.map(async (server): Promise<CatalogServer | { name: string; error: string }> => {
      try {
        const tools = await provider.listTools(server.name, options);
        const allowed = server.allowTools;
        return {
          name: server.name,
          identifier: toIdentifier(server.name),
          tools: allowed ? tools.filter((tool) => allowed.includes(tool.name)) : tools,
        };
      } catch (error) {
        // One broken server must not fail every plan (the engine lists all configured servers in each).
        return { name: server.name, error: provider.redact((error as Error).message) };
      }
    }),
  );
  const servers = listed.filter((entry): entry is CatalogServer => 'tools' in entry);
  const unavailable = listed.filter((entry): entry is { name: string; error: string } => 'error' in entry);
  if (servers.length === 0 && unavailable.length > 0) {
    throw new RomaError(
      'TOOL_FAILED',
      `no MCP server of the plan is available: ${unavailable.map((entry) => entry.error).join('; ')}`,
      {
        retryable: true,
        fix: "`roma tools list` shows each server's status",
      },
    );
  }
  return unavailable.length > 0 ? { servers, unavailable } : { servers };
}

/**
 * A tool by the server's raw names (`everything`, `get-sum`) or by the identifiers the prompt and modules
 * show (`get_sum`); a raw name wins over another tool's identifier.
 */
export function resolveTool(
  catalog: ToolCatalog,
  server: unknown,
  tool: unknown,
): { server: CatalogServer; tool: McpToolInfo } | undefined {
  if (typeof server !== 'string' || typeof tool !== 'string') return undefined;
  const entry =
    catalog.servers.find((item) => item.name === server) ??
    catalog.servers.find((item) => item.identifier === server);
  if (!entry) return undefined;
  const info =
    entry.tools.find((item) => item.name === tool) ??
    entry.tools.find((item) => toIdentifier(item.name) === tool);
  return info ? { server: entry, tool: info } : undefined;
}
