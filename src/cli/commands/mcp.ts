// `roma mcp serve`: roma as an MCP server — stdio for desktop clients, `--http` for streamable HTTP.
import type { Command } from 'commander';
import { resolveConfigFromCli } from '../../config/index.js';
import { serveMcpOverStdio } from '../../mcp-server/index.js';
import { openRuntime } from '../../runtime/index.js';
import { ROMA_VERSION } from '../version.js';

export function registerMcpCommand(program: Command): void {
  const mcp = program.command('mcp').description('roma as an MCP server for Claude Desktop, Cursor, Claude Code…');
  mcp
    .command('serve')
    .description('serve the solve and run tools over stdio (what desktop clients start)')
    .option('--demo', 'answer with the bundled scripted demo model (no key needed)')
    .action(async (options: { demo?: boolean }, command: Command) => {
      const { config } = resolveConfigFromCli(command);
      // stdout carries the protocol: everything else (logs, warnings) goes to stderr.
      const runtime = await openRuntime(config, { logName: 'mcp', ...(options.demo ? { demo: true } : {}) });
      try {
        await serveMcpOverStdio(runtime, {
          version: ROMA_VERSION,
          demo: options.demo === true,
          loadProfile: (profile) => resolveConfigFromCli({ ...command.optsWithGlobals(), profile }).config,
        });
      } finally {
        await runtime.close();
      }
    });
}
