// `roma tools list`: the configured MCP servers, their status and their tools (after each allowlist);
// `roma tools import`: MCP servers from a client's config file (Claude Desktop, Cursor, .mcp.json, VS Code);
// `roma tools auth`: the one-time OAuth authorization of a remote server (tokens kept on this host).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Document, isMap, parseDocument } from 'yaml';
import {
  DEFAULT_CONFIG_FILES,
  type ImportedMcpServers,
  importMcpClientConfig,
  resolveConfigFromCli,
  SecretList,
  secretValuesOf,
} from '../../config/index.js';
import { RomaError } from '../../contracts/index.js';
import type { McpManager, McpServerState, McpToolInfo } from '../../ptc/index.js';
import { authorizeMcpServer } from '../../ptc/index.js';
import { openTools } from '../../runtime/index.js';
import { terminalSafe } from '../render/index.js';
import { readInputFile } from './input-file.js';

interface ToolsListing {
  servers: Array<McpServerState & { tools: Array<Pick<McpToolInfo, 'name' | 'description'>> }>;
}

async function listConfiguredTools(manager: McpManager, timeoutMs: number): Promise<ToolsListing> {
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
    // Tool names, descriptions and errors come from the MCP server: shown without its escape sequences.
    lines.push(
      `${server.name} (${server.transport}) — ${count}${server.error ? `: ${terminalSafe(server.error)}` : ''}`,
    );
    for (const tool of server.tools) {
      const description = terminalSafe(tool.description).split('\n')[0]?.slice(0, 100) ?? '';
      lines.push(`  ${terminalSafe(tool.name)}${description ? ` — ${description}` : ''}`);
    }
  }
  return lines.join('\n');
}

const MAX_CLIENT_CONFIG_BYTES = 1024 * 1024;

/** Reads an MCP client's JSON config file into roma server entries. */
function readMcpClientConfig(path: string): ImportedMcpServers {
  const text = readInputFile(path, { maxBytes: MAX_CLIENT_CONFIG_BYTES });
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new RomaError('VALIDATION_FAILED', `${path} is not JSON: ${(error as Error).message}`, {
      field: 'file',
      fix: 'pass the JSON config of an MCP client (claude_desktop_config.json, .cursor/mcp.json, .mcp.json)',
    });
  }
  return importMcpClientConfig(document, path);
}

/**
 * `imported` added under `ptc.mcpServers` of the YAML `text` (comments kept). A server already there is kept
 * unless `replace`; the names skipped that way are returned.
 */
export function mergeServersIntoConfig(
  text: string,
  imported: ImportedMcpServers['servers'],
  replace: boolean,
): { text: string; skipped: string[] } {
  const document = text.trim() ? parseDocument(text) : new Document({});
  if (document.errors.length > 0) {
    throw new RomaError(
      'CONFIG_INVALID',
      `the config file is not valid YAML: ${document.errors[0]!.message}`,
      {
        field: 'config',
        fix: 'fix it first (roma config validate), then import again',
      },
    );
  }
  const existing = document.getIn(['ptc', 'mcpServers']);
  const skipped: string[] = [];
  for (const [name, server] of Object.entries(imported)) {
    if (!replace && isMap(existing) && existing.has(name)) {
      skipped.push(name);
      continue;
    }
    document.setIn(['ptc', 'mcpServers', name], document.createNode(server));
  }
  return { text: document.toString(), skipped };
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
      const manager = openTools(config);
      try {
        const listing = await listConfiguredTools(manager, Number(options.timeoutMs) || 30_000);
        console.log(options.json ? JSON.stringify(listing, null, 2) : renderToolsListing(listing));
        if (listing.servers.some((server) => server.status === 'failed')) process.exitCode = 1;
      } finally {
        await manager.close();
      }
    });
  tools
    .command('auth <server>')
    .description(
      'authorize roma at a remote MCP server with oauth.grant authorization_code: prints the page to open, waits for it to send the code back to the loopback redirectUrl, and keeps the tokens in the token file (never printed)',
    )
    .option('--timeout-ms <ms>', 'how long to wait for the authorization', '300000')
    .action(async (server: string, options: { timeoutMs: string }, command: Command) => {
      const { config } = resolveConfigFromCli(command);
      const serverConfig = config.ptc.mcpServers[server];
      if (!serverConfig) {
        throw new RomaError('NOT_FOUND', `no MCP server named ${server}`, {
          field: 'ptc.mcpServers',
          fix: `configured servers: ${Object.keys(config.ptc.mcpServers).join(', ') || '(none)'}`,
        });
      }
      const outcome = await authorizeMcpServer({
        name: server,
        config: serverConfig,
        secrets: new SecretList(secretValuesOf(config)),
        oauthDirectory: join(config.store.dataDir, 'mcp-oauth'),
        openUrl: (url) => {
          console.log(
            `Open this page in a browser on this machine to authorize roma at ${server}:\n\n  ${url}\n`,
          );
        },
        timeoutMs: Number(options.timeoutMs) || 300_000,
      });
      console.log(
        outcome.alreadyAuthorized
          ? `${server}: already authorized (${outcome.toolCount} tools); tokens in ${outcome.tokenFile}`
          : `${server}: authorized (${outcome.toolCount} tools); tokens kept in ${outcome.tokenFile}`,
      );
    });
  tools
    .command('import <file>')
    .description(
      'MCP servers from a client config (Claude Desktop, Cursor, .mcp.json, VS Code): print them as roma YAML, or add them to roma.config.yaml with --write',
    )
    .option(
      '--write',
      'add them under ptc.mcpServers in roma.config.yaml (created if missing; comments kept)',
    )
    .option('--replace', 'with --write: replace servers of the same name instead of keeping them')
    .action((file: string, options: { write?: boolean; replace?: boolean }, command: Command) => {
      const imported = readMcpClientConfig(file);
      for (const note of imported.notes) console.error(`roma: ${note}`);
      const names = Object.keys(imported.servers);
      if (names.length === 0) {
        process.exitCode = 1;
        return;
      }
      if (!options.write) {
        console.log(mergeServersIntoConfig('', imported.servers, true).text.trimEnd());
        return;
      }
      const configOption = command.optsWithGlobals().config;
      const target =
        typeof configOption === 'string'
          ? resolve(configOption)
          : (DEFAULT_CONFIG_FILES.map((name) => resolve(name)).find((path) => existsSync(path)) ??
            resolve(DEFAULT_CONFIG_FILES[0]));
      const before = existsSync(target) ? readFileSync(target, 'utf8') : '';
      const merged = mergeServersIntoConfig(before, imported.servers, options.replace === true);
      writeFileSync(target, merged.text);
      const added = names.filter((name) => !merged.skipped.includes(name));
      console.log(`added ${added.length} MCP server(s) to ${target}: ${added.join(', ') || '(none)'}`);
      if (merged.skipped.length > 0) {
        console.log(`kept existing: ${merged.skipped.join(', ')} (use --replace to overwrite)`);
      }
      // The file now has to load: a mistake shows here, not at the next run.
      resolveConfigFromCli(command);
    });
}
