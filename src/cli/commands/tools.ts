// `roma tools list`: the configured MCP servers, their status and their tools (after each allowlist).
import type { Command } from 'commander';
import { resolveConfigFromCli } from '../../config/index.js';
import { McpManager, type McpServerState, type McpToolInfo } from '../../ptc/index.js';

export interface ToolsListing {
  servers: Array<McpServerState & { tools: Array<Pick<McpToolInfo, 'name' | 'description'>> }>;
}

export async function listConfiguredTools(manager: McpManager, timeoutMs: number): Promise<ToolsListing> {
  const servers = await Promise.all(
    manager.serverNames().map(async (name) => {
      const tools = await manager.listTools(name, { timeoutMs }).catch(() => []);
      const state = manager.status().find((entry) => entry.name === name)!;
      return { ...state, tools: tools.map((tool) => ({ name: tool.name, description: tool.description })) };
    }),
  );
  return { servers };
}

export function renderToolsListing(listing: ToolsListing): string {
  if (listing.servers.length === 0)
    return 'no MCP servers configured (add them under ptc.mcpServers in roma.config.yaml)';
  const lines: string[] = [];
  for (const server of listing.servers) {
    const count = server.status === 'connected' ? `${server.tools.length} tools` : server.status;
    lines.push(`${server.name} (${server.transport}) — ${count}${server.error ? `: ${server.error}` : ''}`);
    for (const tool of server.tools) {
      const description = tool.description.split('\n')[0]?.slice(0, 100) ?? '';
      lines.push(`  ${tool.name}${description ? ` — ${description}` : ''}`);
    }
  }
  return lines.join('\n');
}

export function registerToolsCommand(program: Command): void {
  const tools = program.command('tools').description('MCP tools available to the PTC agent');
  tools
    .command('list')
    .description('connect each configured MCP server and list its tools; exit code 1 when one fails')
    .option('--json', 'print JSON')
    .option('--timeout-ms <ms>', 'bound on connecting and listing each server', '30000')
    .action(async (options: { json?: boolean; timeoutMs: string }, command: Command) => {
      const { config } = resolveConfigFromCli(command);
      const manager = new McpManager({ servers: config.ptc.mcpServers });
      try {
        const listing = await listConfiguredTools(manager, Number(options.timeoutMs) || 30_000);
        console.log(options.json ? JSON.stringify(listing, null, 2) : renderToolsListing(listing));
        if (listing.servers.some((server) => server.status === 'failed')) process.exitCode = 1;
      } finally {
        await manager.close();
      }
    });
}
