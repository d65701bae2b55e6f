// `roma serve`: the REST API, live streams and dashboard over the runtime (SQLite by default; --demo: scripted model).
import type { Command } from 'commander';
import { loadConfigFromCli } from '../../config/index.js';
import { createMcpHttpHandler } from '../../mcp-server/index.js';
import { openRuntime } from '../../runtime/index.js';
import { apiRuntimeFrom, loadDashboardAssets, parseApiKeys, startApiServer } from '../../server/index.js';
import { ROMA_VERSION } from '../version.js';
import { parseIntegerOption } from './integer-option.js';

interface ServeOptions {
  host?: string;
  port?: string;
  demo?: boolean;
  latencyMs: string;
}

function profileOf(command: Command): { profile?: string } {
  const profile = (command.optsWithGlobals() as { profile?: string }).profile ?? process.env.ROMA_PROFILE;
  return profile ? { profile } : {};
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('REST API, live WebSocket/SSE streams and the dashboard (default http://127.0.0.1:8000)')
    .option('--host <address>', 'address to listen on (server.host); non-loopback needs ROMA_API_KEYS')
    .option('--port <n>', 'port (server.port; 0 picks a free one)')
    .option('--demo', 'answer with the bundled scripted model (no API key needed)')
    .option('--latency-ms <ms>', 'scripted reply latency with --demo, to watch the tree grow', '150')
    .action(async (options: ServeOptions, command: Command) => {
      const config = loadConfigFromCli(command);
      const keys = parseApiKeys(process.env.ROMA_API_KEYS);
      const host = options.host ?? config.server.host;
      const port =
        options.port === undefined
          ? config.server.port
          : parseIntegerOption('--port', options.port, { min: 0, max: 65_535 });
      const latencyMs = parseIntegerOption('--latency-ms', options.latencyMs, { min: 0, max: 10_000 });
      const runtime = await openRuntime(config, {
        logName: 'server',
        ...(options.demo ? { demo: { latencyMs } } : {}),
      });
      // roma as an MCP server at /mcp, behind the same keys; several keys split runs by tenant.
      const mcp = createMcpHttpHandler(runtime, {
        version: ROMA_VERSION,
        demo: runtime.demoModel !== null,
        tenants: keys.size > 1,
      });
      let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
      try {
        server = await startApiServer({
          // A run may name a profile only if it is the one this server loaded (profiles shape the whole config).
          runtime: apiRuntimeFrom(runtime, profileOf(command)),
          keys,
          host,
          port,
          allowedHosts: splitList(config.server.allowedHosts),
          corsOrigins: splitList(config.server.corsOrigins),
          requestsPerMinute: config.server.rateLimitPerMinute,
          maxBodyBytes: config.server.maxBodyBytes,
          dashboard: loadDashboardAssets(),
          logError: (error) => runtime.logger.error({ err: error }, 'request failed'),
          mcp,
          version: ROMA_VERSION,
        });
      } catch (error) {
        await mcp.close();
        await runtime.close();
        throw error;
      }
      const lines = [
        `roma serve — ${server.url}  (dashboard ${server.url}/, API reference ${server.url}/docs, MCP ${server.url}/mcp)`,
        keys.size > 0
          ? `API keys: ${keys.size} from ROMA_API_KEYS; send Authorization: Bearer <key>`
          : 'no API keys (ROMA_API_KEYS unset): listening on loopback only, anyone on this machine can use it',
      ];
      if (runtime.demoModel) {
        lines.push(
          `DEMO: the model is SCRIPTED (a local server with canned replies, offline, costs illustrative); it answers the goal "${runtime.demoModel.goal}"`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      const running = server;
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      process.stdout.write('stopping: closing streams, then cancelling this process’s runs\n');
      await running.close();
      await mcp.close();
      await runtime.close();
    });
}
