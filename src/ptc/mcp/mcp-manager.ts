// The host's MCP clients: one long-lived connection per configured server, shared by every execution.
import { join } from 'node:path';
import { SecretList } from '../../config/secrets.js';
import type { McpServerConfig } from '../../config/sections/ptc.js';
import { RomaError } from '../../contracts/index.js';
import { urlSecretValues } from './env-template.js';
import { McpServerConnection } from './server-connection.js';
import type {
  McpResourceInfo,
  McpServerState,
  McpToolInfo,
  ToolCallOptions,
  ToolCallOutput,
  ToolContentPart,
  ToolProvider,
} from './types.js';

interface McpManagerOptions {
  servers: Record<string, McpServerConfig>;
  /** Where `${VAR}` values come from; the host's `process.env` by default. */
  hostEnv?: Record<string, string | undefined>;
  /**
   * The process's one secret list (fed from config: LLM keys, store credentials…); every value a server's
   * config substitutes is added to it when the server connects. Absent: the manager keeps its own.
   */
  secrets?: SecretList;
  /** Default folder of OAuth token files (`<store.dataDir>/mcp-oauth`); `.roma/mcp-oauth` when absent. */
  oauthDirectory?: string;
}

export class McpManager implements ToolProvider {
  private readonly connections = new Map<string, McpServerConnection>();
  readonly secrets: SecretList;

  constructor(options: McpManagerOptions) {
    const hostEnv = options.hostEnv ?? process.env;
    this.secrets = options.secrets ?? new SecretList();
    for (const [name, config] of Object.entries(options.servers)) {
      // Values written literally (the config loader already expanded `${VAR}`) are known before any connect.
      this.secrets.add(
        config.transport === 'stdio'
          ? Object.values(config.env)
          : [
              ...Object.values(config.headers),
              ...urlSecretValues(new URL(config.url)),
              ...(config.oauth?.clientSecret ? [config.oauth.clientSecret] : []),
            ],
      );
      this.connections.set(
        name,
        new McpServerConnection(name, config, hostEnv, this.secrets, {
          oauthDirectory: options.oauthDirectory ?? join('.roma', 'mcp-oauth'),
        }),
      );
    }
  }

  serverNames(): string[] {
    return [...this.connections.keys()];
  }

  private connection(server: string): McpServerConnection {
    const connection = this.connections.get(server);
    if (!connection) {
      throw new RomaError('TOOL_FAILED', `no MCP server named ${server}`, {
        field: 'tools.servers',
        fix: `configured servers: ${this.serverNames().join(', ') || '(none)'} — add it under ptc.mcpServers`,
      });
    }
    return connection;
  }

  listTools(server: string, options?: ToolCallOptions): Promise<McpToolInfo[]> {
    return this.connection(server).listTools(options);
  }

  callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    options?: ToolCallOptions,
  ): Promise<ToolCallOutput> {
    return this.connection(server).callTool(tool, args, options);
  }

  listResources(server: string, options?: ToolCallOptions): Promise<McpResourceInfo[]> {
    return this.connection(server).listResources(options);
  }

  readResource(server: string, uri: string, options?: ToolCallOptions): Promise<ToolContentPart[]> {
    return this.connection(server).readResource(uri, options);
  }

  /** Connects every server and lists its tools; failures are kept in `status()`, not thrown. */
  async connectAll(options: ToolCallOptions = {}): Promise<McpServerState[]> {
    await Promise.all(
      [...this.connections.values()].map((connection) =>
        connection.listTools(options).catch(() => undefined),
      ),
    );
    return this.status();
  }

  status(): McpServerState[] {
    return [...this.connections.values()].map((connection) => connection.snapshot());
  }

  redact(text: string): string {
    return this.secrets.redact(text);
  }

  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.close()));
  }
}
