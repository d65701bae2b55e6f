// `roma mcp serve`: roma as an MCP server — stdio for desktop clients, `--http` for streamable HTTP.
import type { Command } from 'commander';
import { resolveConfigFromCli } from '../../config/index.js';
import { createMcpHttpHandler, serveMcpOverStdio } from '../../mcp-server/index.js';
import { openRuntime } from '../../runtime/index.js';
import { apiRuntimeFrom, parseApiKeys, startApiServer } from '../../server/index.js';
import { ROMA_VERSION } from '../version.js';
import { parseIntegerOption } from './integer-option.js';

interface McpServeOptions {
  demo?: boolean;
  demoLatencyMs: string;
  http?: boolean;
  host: string;
  port: string;
}

const DEFAULT_MCP_HTTP_PORT = 8003;

export function registerMcpCommand(program: Command): void {
  const mcp = program
    .command('mcp')
    .description('roma as an MCP server for Claude Desktop, Cursor, Claude Code…');
  mcp
    .command('serve')
    .description('serve solve and the run tools over stdio (what desktop clients start), or --http')
    .option('--demo', 'answer with the bundled scripted demo model (no key needed)')
    .option('--demo-latency-ms <ms>', 'with --demo: scripted reply latency', '150')
    .option('--http', 'streamable HTTP at http://<host>:<port>/mcp instead of stdio')
    .option(
      '--host <address>',
      'with --http: address to listen on; non-loopback needs ROMA_API_KEYS',
      '127.0.0.1',
    )
    .option('--port <n>', `with --http: port (0 picks a free one)`, String(DEFAULT_MCP_HTTP_PORT))
    .action(async (options: McpServeOptions, command: Command) => {
      const { config } = resolveConfigFromCli(command);
      const latencyMs = parseIntegerOption('--demo-latency-ms', options.demoLatencyMs, {
        min: 0,
        max: 10_000,
      });
      const port = parseIntegerOption('--port', options.port, { min: 0, max: 65_535 });
      const keys = parseApiKeys(process.env.ROMA_API_KEYS);
      // On stdio, stdout carries the protocol: logs and warnings go to stderr.
      const runtime = await openRuntime(config, {
        logName: 'mcp',
        ...(options.demo ? { demo: { latencyMs } } : {}),
      });
      const serverOptions = {
        version: ROMA_VERSION,
        demo: options.demo === true,
        loadProfile: (profile: string) =>
          resolveConfigFromCli({ ...command.optsWithGlobals(), profile }).config,
      };
      try {
        if (!options.http) {
          await serveMcpOverStdio(runtime, serverOptions);
          return;
        }
        const handler = createMcpHttpHandler(runtime, { ...serverOptions, tenants: keys.size > 1 });
        try {
          const server = await startApiServer({
            runtime: apiRuntimeFrom(runtime),
            keys,
            host: options.host,
            port,
            allowedHosts: config.server.allowedHosts
              .split(',')
              .map((host) => host.trim())
              .filter(Boolean),
            requestsPerMinute: config.server.rateLimitPerMinute,
            version: ROMA_VERSION,
            mcp: handler,
            routes: 'mcp',
            logError: (error) => runtime.logger.error({ err: error }, 'request failed'),
          });
          process.stdout.write(
            `roma mcp — ${server.url}/mcp (streamable HTTP)${options.demo ? '; DEMO: the model is SCRIPTED' : ''}\n` +
              (keys.size > 0
                ? `API keys: ${keys.size} from ROMA_API_KEYS; send Authorization: Bearer <key>\n`
                : 'no API keys (ROMA_API_KEYS unset): loopback only\n'),
          );
          await new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
          });
          await server.close();
        } finally {
          await handler.close();
        }
      } finally {
        await runtime.close();
      }
    });
}
