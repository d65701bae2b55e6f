// `roma ptc serve`: runs the PTC code agent as its own service (HTTP + WebSocket events, default port 8002).
import type { Command } from 'commander';
import { resolveConfigFromCli } from '../../config/index.js';
import { RomaError } from '../../contracts/index.js';
import { PtcEventHub, startPtcService } from '../../ptc/index.js';
import { openRuntime } from '../../runtime/index.js';
import { terminalSafe } from '../render/index.js';

export function registerPtcCommand(program: Command): void {
  const ptc = program.command('ptc').description('the PTC code agent (programmatic tool calling)');
  ptc
    .command('serve')
    .description('serve POST /execute, GET /health, GET /stats and a WebSocket event stream (/events)')
    .option('--port <port>', 'port to listen on (default: ptc.port, 8002)')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .action(async (options: { port?: string; host: string }, command: Command) => {
      const { config } = resolveConfigFromCli(command);
      const port = options.port === undefined ? config.ptc.port : Number(options.port);
      const hub = new PtcEventHub();
      const runtime = await openRuntime(config, {
        logName: 'ptc',
        ptc: { onEvent: (event) => hub.publish(event), emitArtifactEvents: true, inProcess: true },
      });
      const ptc = runtime.ptc;
      if (!ptc) throw new RomaError('INTERNAL', 'the runtime opened no in-process PTC agent');
      // Connect the MCP servers up front so the first plan does not pay for it; failures show in /health.
      await ptc.manager.connectAll({ timeoutMs: 30_000 });
      const service = await startPtcService({
        agent: ptc.agent,
        tools: ptc.manager,
        hub,
        port,
        host: options.host,
        apiKey: config.ptc.serviceApiKey,
      });
      console.log(
        `roma ptc: listening on ${service.url} (POST /execute, GET /health, GET /stats, WS /events)`,
      );
      console.log(
        config.ptc.serviceApiKey
          ? '  bearer key required (PTC_SERVICE_API_KEY) on every request but /health'
          : '  no key (PTC_SERVICE_API_KEY unset): loopback only, anyone on this machine can use it',
      );
      for (const state of ptc.manager.status()) {
        console.log(
          `  mcp ${state.name}: ${state.status}${state.toolCount === null ? '' : `, ${state.toolCount} tools`}${state.error ? ` — ${terminalSafe(state.error)}` : ''}`,
        );
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await service.close();
      await runtime.close();
    });
}
