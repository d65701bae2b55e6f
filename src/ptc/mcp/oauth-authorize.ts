// `roma tools auth <server>`: one person-in-the-loop OAuth authorization_code flow, tokens kept on the host.
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { SecretList } from '../../config/secrets.js';
import type { McpServerConfig } from '../../config/sections/ptc.js';
import { RomaError } from '../../contracts/index.js';
import { listenForCallback } from './oauth-callback.js';
import { oauthProviderFor } from './server-connection.js';
import { buildTransport } from './transports.js';

export interface AuthorizeMcpServerOptions {
  name: string;
  config: McpServerConfig;
  hostEnv?: Record<string, string | undefined>;
  /** The process's secret list: tokens are added to it the moment they exist. */
  secrets: SecretList;
  oauthDirectory: string;
  /** Shows the authorization page to a person (the CLI prints the URL; a test's "browser" fetches it). */
  openUrl: (url: URL) => Promise<void> | void;
  /** How long to wait for the person to finish. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface AuthorizeOutcome {
  /** True when the stored tokens already worked and nothing was asked. */
  alreadyAuthorized: boolean;
  tokenFile: string;
  toolCount: number;
}

async function connectAndList(
  client: Client,
  transport: ReturnType<typeof buildTransport>,
  timeoutMs: number,
) {
  await client.connect(transport.transport, { timeout: timeoutMs });
  return (await client.listTools(undefined, { timeout: timeoutMs })).tools.length;
}

function newClient(): Client {
  return new Client({ name: 'roma-ptc', version: '0.1.0' }, { capabilities: {} });
}

export async function authorizeMcpServer(options: AuthorizeMcpServerOptions): Promise<AuthorizeOutcome> {
  const { name, config } = options;
  const field = `ptc.mcpServers.${name}.oauth`;
  if (config.transport === 'stdio' || !config.oauth) {
    throw new RomaError('CONFIG_INVALID', `MCP server ${name} has no oauth section`, {
      field,
      fix: 'add `oauth: { grant: authorization_code }` (remote http/sse servers only) to the server in roma.config.yaml',
    });
  }
  if (config.oauth.grant !== 'authorization_code') {
    throw new RomaError(
      'CONFIG_INVALID',
      `MCP server ${name} uses client_credentials: nothing to authorize`,
      {
        field: `${field}.grant`,
        fix: 'roma fetches its tokens itself at connect time; `roma tools list` checks them',
      },
    );
  }
  const hostEnv = options.hostEnv ?? process.env;
  const callback = await listenForCallback(config.oauth.redirectUrl);
  const clients: Client[] = [];
  try {
    const provider = oauthProviderFor(name, config, options.secrets, {
      oauthDirectory: options.oauthDirectory,
      redirectUrl: callback.url,
    })!;
    const first = buildTransport(name, config, hostEnv, provider);
    const probe = newClient();
    clients.push(probe);
    let stepUp: string | undefined;
    try {
      const toolCount = await connectAndList(probe, first, config.timeoutMs);
      stepUp = provider.pendingScope();
      if (!stepUp) return { alreadyAuthorized: true, tokenFile: provider.location, toolCount };
      // The tokens work, but a run was refused a wider scope: ask for it (the stored tokens stay until then).
      provider.ignoreStoredTokens = true;
      const started = await auth(provider, { serverUrl: config.url, scope: stepUp });
      if (started === 'AUTHORIZED' || !provider.pending) {
        throw new RomaError(
          'UNAUTHORIZED',
          `the authorization server did not start a flow for scope ${stepUp}`,
        );
      }
    } catch (error) {
      if (error instanceof RomaError) throw error;
      if (!provider.pending) {
        throw new RomaError(
          'TOOL_FAILED',
          options.secrets.redact(`cannot reach MCP server ${name}: ${(error as Error).message}`),
          { field: `ptc.mcpServers.${name}`, retryable: true },
        );
      }
    }
    const pending = provider.pending;
    await options.openUrl(pending.url);
    const code = await callback.waitForCode(pending.state, options.timeoutMs, options.signal);
    options.secrets.add([code]);
    if (stepUp) {
      await auth(provider, { serverUrl: config.url, scope: stepUp, authorizationCode: code });
    } else {
      // The transport remembers what the server's 401 said (resource metadata, scope) for the token request.
      await first.finishAuth!(code);
    }
    const verify = newClient();
    clients.push(verify);
    const toolCount = await connectAndList(
      verify,
      buildTransport(name, config, hostEnv, provider),
      config.timeoutMs,
    );
    return { alreadyAuthorized: false, tokenFile: provider.location, toolCount };
  } finally {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await callback.close();
  }
}
