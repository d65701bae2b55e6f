// `roma mcp serve` over stdio: what desktop clients (Claude Desktop, Cursor, Claude Code) start as a child.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Runtime } from '../runtime/index.js';
import { createRomaMcpServer, type RomaMcpServerOptions } from './roma-mcp-server.js';

/** Serves until stdin closes or the process is told to stop; resolves once the server has closed. */
export async function serveMcpOverStdio(runtime: Runtime, options: RomaMcpServerOptions): Promise<void> {
  const server = createRomaMcpServer(runtime, options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => undefined);
}
