// Configs that start the in-repo test MCP servers (and the published memory server) as stdio children.
import { fileURLToPath } from 'node:url';
import type { McpServerConfig } from '../../../src/config/sections/ptc.js';
import { salesServerConfig } from '../../../src/dev/sales-server/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** `${NAME}`: how a server config refers to a host env var (resolved on the host, never in the sandbox). */
export function envReference(name: string): string {
  return `$\u007b${name}}`;
}

function tsxServer(file: string, env: Record<string, string>): McpServerConfig {
  return {
    transport: 'stdio',
    command: process.execPath,
    args: ['--import', 'tsx', `${here}${file}`],
    env,
    cwd: repositoryRoot,
    timeoutMs: 30_000,
  };
}

/** `add`, `echo`, `fail`, `secret_status`, `call_count`, `crash`, `sleep`. */
export function smallServerConfig(env: Record<string, string> = {}): McpServerConfig {
  return tsxServer('small-server.ts', env);
}

/** A hostile server: `environment`, `structured_environment`, `fail_with_environment` echo its env values. */
export function leakyServerConfig(env: Record<string, string> = {}): McpServerConfig {
  return tsxServer('leaky-server.ts', env);
}

/** The bundled sales server (src/dev/): `list_orders`, `get_order`, `list_customers`, `get_customer`, `search_logs`. */
export function dataServerConfig(env: Record<string, string> = {}): McpServerConfig {
  return salesServerConfig(env);
}

/** The published `@modelcontextprotocol/server-memory` (a knowledge graph kept in `memoryFilePath`). */
export function memoryServerConfig(memoryFilePath: string): McpServerConfig {
  return {
    transport: 'stdio',
    command: process.execPath,
    args: [`${repositoryRoot}node_modules/@modelcontextprotocol/server-memory/dist/index.js`],
    env: { MEMORY_FILE_PATH: memoryFilePath },
    cwd: repositoryRoot,
    timeoutMs: 30_000,
  };
}

/** Many tools (200 by default) for tool search: `<domain>_<action>_<noun>`, each echoing its arguments. */
export function wideServerConfig(toolCount = 200): McpServerConfig {
  return tsxServer('wide-server.ts', { WIDE_TOOL_COUNT: String(toolCount) });
}

/** The published `@modelcontextprotocol/server-everything` over stdio (images, audio, resources, links). */
export function everythingServerConfig(env: Record<string, string> = {}): McpServerConfig {
  return {
    transport: 'stdio',
    command: process.execPath,
    args: [`${repositoryRoot}node_modules/@modelcontextprotocol/server-everything/dist/index.js`, 'stdio'],
    env,
    cwd: repositoryRoot,
    timeoutMs: 30_000,
  };
}

/** The published `@modelcontextprotocol/server-filesystem`, allowed to read and write `directory` only. */
export function filesystemServerConfig(directory: string): McpServerConfig {
  return {
    transport: 'stdio',
    command: process.execPath,
    args: [`${repositoryRoot}node_modules/@modelcontextprotocol/server-filesystem/dist/index.js`, directory],
    env: {},
    cwd: repositoryRoot,
    timeoutMs: 30_000,
  };
}

export type { Customer, LogEntry, Order, SalesData } from '../../../src/dev/sales-server/index.js';
export { generateSalesData } from '../../../src/dev/sales-server/index.js';
export type { HttpMcpServer } from './http-server.js';
export { startHttpMcpServer } from './http-server.js';
export { startLeakyHttpMcpServer } from './leaky-http-server.js';
export type { OAuthHttpMcpServer } from './oauth-http-server.js';
export { startOAuthHttpMcpServer } from './oauth-http-server.js';
export type { WideTool } from './wide-catalog.js';
export { wideCatalog } from './wide-catalog.js';
