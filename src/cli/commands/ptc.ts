// `roma ptc serve`: runs the PTC code agent as its own service (HTTP + WebSocket events, default port 8002).
import type { Command } from 'commander';
import { resolveConfigFromCli } from '../../config/index.js';
import { PtcEventHub, startPtcService } from '../../ptc/index.js';
import { registerCodeAgentFactory } from '../wiring/index.js';
import { openPtcRuntime, ptcCodeAgentFactory } from './ptc-runtime.js';

export function registerPtcCommand(program: Command): void {
  // The engine gets its code agent from the PTC capability: in process, or this service's client.
  registerCodeAgentFactory(ptcCodeAgentFactory);
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
      const runtime = await openPtcRuntime(config, {
        onEvent: (event) => hub.publish(event),
        emitArtifactEvents: true,
      });
      // Connect the MCP servers up front so the first plan does not pay for it; failures show in /health.
      await runtime.manager.connectAll({ timeoutMs: 30_000 });
      const service = await startPtcService({
        agent: runtime.agent,
        tools: runtime.manager,
        hub,
        port,
        host: options.host,
      });
      console.log(
        `roma ptc: listening on ${service.url} (POST /execute, GET /health, GET /stats, WS /events)`,
      );
      for (const state of runtime.manager.status()) {
        console.log(
          `  mcp ${state.name}: ${state.status}${state.toolCount === null ? '' : `, ${state.toolCount} tools`}${state.error ? ` — ${state.error}` : ''}`,
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
