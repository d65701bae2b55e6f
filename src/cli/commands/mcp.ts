// `roma mcp serve`: roma as an MCP server — stdio for desktop clients, `--http` for streamable HTTP.
import type { Command } from 'commander';
import { resolveConfigFromCli } from '../../config/index.js';
import { serveMcpOverStdio } from '../../mcp-server/index.js';
import { openRuntime } from '../../runtime/index.js';
import { ROMA_VERSION } from '../version.js';
import { parseIntegerOption } from './integer-option.js';

export function registerMcpCommand(program: Command): void {
  const mcp = program
    .command('mcp')
    .description('roma as an MCP server for Claude Desktop, Cursor, Claude Code…');
  mcp
    .command('serve')
    .description('serve the solve and run tools over stdio (what desktop clients start)')
    .option('--demo', 'answer with the bundled scripted demo model (no key needed)')
    .option('--demo-latency-ms <ms>', 'with --demo: scripted reply latency', '150')
    .action(async (options: { demo?: boolean; demoLatencyMs: string }, command: Command) => {
      const { config } = resolveConfigFromCli(command);
      const latencyMs = parseIntegerOption('--demo-latency-ms', options.demoLatencyMs, {
        min: 0,
        max: 10_000,
      });
      // stdout carries the protocol: everything else (logs, warnings) goes to stderr.
      const runtime = await openRuntime(config, {
        logName: 'mcp',
        ...(options.demo ? { demo: { latencyMs } } : {}),
      });
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
