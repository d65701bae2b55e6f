// Builds the MCP client transport for one server config (stdio child, streamable HTTP or SSE).
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpServerConfig } from '../../config/sections/ptc.js';
import { resolveTemplates, secretValues, urlSecretValues } from './env-template.js';

interface BuiltTransport {
  transport: Transport;
  secrets: string[];
  /** Last lines a stdio server wrote to stderr (bounded), for connect errors. */
  stderrTail: () => string;
}

const STDERR_TAIL_CHARS = 2_000;

export function buildTransport(
  name: string,
  config: McpServerConfig,
  hostEnv: Record<string, string | undefined>,
): BuiltTransport {
  const field = `ptc.mcpServers.${name}`;
  if (config.transport === 'stdio') {
    const env = resolveTemplates(config.env, hostEnv, `${field}.env`);
    const transport = new StdioClientTransport({
      command: config.command,
      args: config.args,
      // Only the SDK's safe defaults (PATH, HOME…) plus what the config names: the host's keys stay home.
      env: { ...getDefaultEnvironment(), ...env.values },
      ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      stderr: 'pipe',
    });
    let tail = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    return {
      transport,
      // Every env value counts: a DATABASE_URL or a password is a credential whatever its variable is named.
      secrets: [...env.secrets, ...secretValues(env.values, true)],
      stderrTail: () => tail,
    };
  }
  const headers = resolveTemplates(config.headers, hostEnv, `${field}.headers`);
  const url = new URL(config.url);
  const secrets = [...headers.secrets, ...secretValues(headers.values, true), ...urlSecretValues(url)];
  if (config.transport === 'http') {
    const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: headers.values } });
    return { transport, secrets, stderrTail: () => '' };
  }
  const transport = new SSEClientTransport(url, {
    requestInit: { headers: headers.values },
    // The SSE GET that opens the stream does not read requestInit, so its fetch adds the headers itself.
    eventSourceInit: {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), ...headers.values },
        }),
    },
  });
  return { transport, secrets, stderrTail: () => '' };
}
