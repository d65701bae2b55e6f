// Builds the MCP client transport for one server config (stdio child, streamable HTTP or SSE).
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
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
  /** Exchanges an authorization code for tokens (remote servers with `oauth`), after a person authorized. */
  finishAuth?: (authorizationCode: string) => Promise<void>;
}

const STDERR_TAIL_CHARS = 2_000;

export function buildTransport(
  name: string,
  config: McpServerConfig,
  hostEnv: Record<string, string | undefined>,
  /** The OAuth client of a remote server with `oauth` (tokens stay on the host, in the provider's store). */
  authProvider?: OAuthClientProvider,
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
    const transport = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: headers.values },
      ...(authProvider ? { authProvider } : {}),
    });
    return {
      transport,
      secrets,
      stderrTail: () => '',
      finishAuth: (authorizationCode) => transport.finishAuth(authorizationCode),
    };
  }
  const transport = new SSEClientTransport(url, {
    requestInit: { headers: headers.values },
    ...(authProvider ? { authProvider } : {}),
    // The SSE GET that opens the stream does not read requestInit, so its fetch adds the headers itself.
    eventSourceInit: {
      fetch: (input, init) => {
        // A Headers object (the SDK's, with an OAuth bearer) does not spread: copy it entry by entry.
        const merged = new Headers(init?.headers);
        for (const [key, value] of Object.entries(headers.values)) merged.set(key, value);
        return fetch(input, { ...init, headers: merged });
      },
    },
  });
  return {
    transport,
    secrets,
    stderrTail: () => '',
    finishAuth: (authorizationCode) => transport.finishAuth(authorizationCode),
  };
}
