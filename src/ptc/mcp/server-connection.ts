// One MCP server: connected on first use, kept open across executions, reconnected after it drops.
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { SecretList } from '../../config/secrets.js';
import { type McpServerConfig, samplingPolicy } from '../../config/sections/ptc.js';
import { RomaError } from '../../contracts/index.js';
import { McpOAuthProvider } from './oauth-provider.js';
import { fileOAuthStore, memoryOAuthStore } from './oauth-store.js';
import { toSamplingRequest } from './sampling-request.js';
import { type RawToolResult, resourcePart, toToolCallOutput } from './tool-result.js';
import { buildTransport } from './transports.js';
import type {
  McpResourceInfo,
  McpServerState,
  McpToolInfo,
  Sampler,
  ToolCallOptions,
  ToolCallOutput,
  ToolContentPart,
  ToolNotice,
} from './types.js';

const MAX_TOOL_PAGES = 50;
/** Bound on resources listed from one server (a hostile server can page forever). */
const MAX_RESOURCES = 1_000;
/** JSON-RPC error code the MCP spec shows for a sampling request the client rejects. */
const SAMPLING_REJECTED = -1;

export interface McpServerConnectionOptions {
  /** Default folder of OAuth token files (`<store.dataDir>/mcp-oauth`); a server's `oauth.tokenFile` wins. */
  oauthDirectory: string;
}

/** What a call in flight listens to: notices, and who answers the server's sampling requests. */
interface CallInFlight {
  onNotice?: (notice: ToolNotice) => void;
  sample?: Sampler;
}

/** The OAuth client of a server with `oauth` (tokens in its store, on the host); undefined otherwise. */
export function oauthProviderFor(
  name: string,
  config: McpServerConfig,
  secrets: SecretList,
  options: McpServerConnectionOptions & { redirectUrl?: string },
): McpOAuthProvider | undefined {
  if (config.transport === 'stdio' || !config.oauth) return undefined;
  const oauth = config.oauth;
  const store =
    oauth.grant === 'client_credentials'
      ? memoryOAuthStore()
      : fileOAuthStore(oauth.tokenFile ?? join(options.oauthDirectory, `${name}.json`));
  return new McpOAuthProvider({
    config: oauth,
    store,
    secrets,
    ...(options.redirectUrl ? { redirectUrl: options.redirectUrl } : {}),
  });
}

export class McpServerConnection {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private tools: McpToolInfo[] | null = null;
  private state: McpServerState;
  private closed = false;
  /** Calls in flight: a log notification or a server's request is not tied to one call by the protocol. */
  private readonly calls = new Set<CallInFlight>();
  private readonly oauth: McpOAuthProvider | undefined;

  constructor(
    readonly name: string,
    private readonly config: McpServerConfig,
    private readonly hostEnv: Record<string, string | undefined>,
    /** The process's one secret list: the values this server's config substitutes are added to it. */
    private readonly secrets: SecretList,
    options: McpServerConnectionOptions,
  ) {
    // One provider for the connection's life: client_credentials tokens are kept in it across reconnects.
    this.oauth = oauthProviderFor(name, config, secrets, options);
    this.state = {
      name,
      transport: config.transport,
      status: 'idle',
      toolCount: null,
      connects: 0,
      error: null,
    };
  }

  snapshot(): McpServerState {
    return { ...this.state };
  }

  private allowed(tool: string): boolean {
    return this.config.allowTools === undefined || this.config.allowTools.includes(tool);
  }

  private async connect(options: ToolCallOptions): Promise<Client> {
    if (this.closed) throw new RomaError('TOOL_FAILED', `MCP server ${this.name} was closed`);
    if (this.client) return this.client;
    if (!this.connecting) {
      this.connecting = this.openClient(options).finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async openClient(options: ToolCallOptions): Promise<Client> {
    this.state.status = 'connecting';
    let built: ReturnType<typeof buildTransport>;
    try {
      built = buildTransport(this.name, this.config, this.hostEnv, this.oauth);
    } catch (error) {
      this.state.status = 'failed';
      this.state.error = (error as Error).message;
      throw error;
    }
    this.secrets.add(built.secrets);
    // Elicitation is declared so that servers ask rather than fail, and every request is declined: a PTC run
    // has no person to answer it. Sampling is declared when the config allows it (answered by the run's model).
    const sampling = samplingPolicy(this.config);
    const client = new Client(
      { name: 'roma-ptc', version: '0.1.0' },
      { capabilities: { elicitation: {}, ...(sampling.enabled ? { sampling: {} } : {}) } },
    );
    // Without the capability the SDK refuses to register a handler; compliant servers then do not ask.
    if (sampling.enabled) this.answerSampling(client);
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      this.notify({
        kind: 'declined',
        message: `elicitation declined (a PTC run is unattended): ${String(request.params.message ?? '').slice(0, 300)}`,
      });
      return { action: 'decline' };
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, async (notification) => {
      const data = notification.params.data;
      this.notify({
        kind: 'log',
        level: notification.params.level,
        message: typeof data === 'string' ? data : JSON.stringify(data ?? null),
      });
    });
    client.onclose = () => {
      // The next call reconnects; tools are listed again in case the server changed.
      if (this.client === client) {
        this.client = null;
        this.tools = null;
        if (!this.closed) this.state.status = 'closed';
      }
    };
    if (this.oauth) this.oauth.pending = null;
    try {
      await client.connect(built.transport, {
        timeout: options.timeoutMs ?? this.config.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      await client.close().catch(() => undefined);
      if (this.oauth?.pending) throw this.authorizationRequired();
      const stderr = built.stderrTail().trim();
      const message = this.redact(
        `cannot connect to MCP server ${this.name}: ${(error as Error).message}${stderr ? ` (stderr: ${stderr.slice(-500)})` : ''}`,
      );
      this.state.status = 'failed';
      this.state.error = message;
      throw new RomaError('TOOL_FAILED', message, {
        retryable: true,
        field: `ptc.mcpServers.${this.name}`,
        fix: 'check the command/url of this server in roma.config.yaml; `roma tools list` shows its status',
      });
    }
    this.client = client;
    this.state.status = 'connected';
    this.state.connects += 1;
    this.state.error = null;
    return client;
  }

  /** Answers `sampling/createMessage` through the sampler of the run calling this server, or refuses with why. */
  private answerSampling(client: Client): void {
    const sampling = samplingPolicy(this.config);
    client.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
      const refuse = (reason: string): never => {
        this.notify({ kind: 'declined', message: `sampling refused: ${reason}` });
        throw new McpError(SAMPLING_REJECTED, `sampling refused: ${reason}`);
      };
      const samplers = new Set(
        [...this.calls].map((call) => call.sample).filter((sample) => sample !== undefined),
      );
      // The protocol does not say which call a request belongs to: answer only when one run can be charged.
      if (samplers.size === 0) return refuse('no run is calling a tool of this server');
      if (samplers.size > 1)
        return refuse('calls of several runs are in flight; the cost cannot be charged to one');
      const parsed = toSamplingRequest(this.name, request.params, sampling);
      if (!parsed.ok) return refuse(parsed.reason);
      const [sample] = samplers;
      try {
        const answer = await sample!(parsed.request, extra.signal);
        return {
          role: 'assistant' as const,
          content: { type: 'text' as const, text: answer.text },
          model: answer.model,
          stopReason: answer.stopReason,
        };
      } catch (error) {
        return refuse(this.redact((error as Error).message).slice(0, 500));
      }
    });
  }

  /** An authorization_code server without usable tokens: a person runs `roma tools auth` once. */
  private authorizationRequired(): RomaError {
    const message = `MCP server ${this.name} needs OAuth authorization (no valid token in ${this.oauth?.location})`;
    this.state.status = 'failed';
    this.state.error = message;
    return new RomaError('TOOL_FAILED', message, {
      field: `ptc.mcpServers.${this.name}.oauth`,
      fix: `run \`roma tools auth ${this.name}\` once (it opens the authorization page and keeps the tokens on this host)`,
    });
  }

  redact(text: string): string {
    return this.secrets.redact(text);
  }

  private notify(notice: ToolNotice): void {
    for (const call of this.calls) call.onNotice?.(notice);
  }

  async listTools(options: ToolCallOptions = {}): Promise<McpToolInfo[]> {
    if (this.tools) return this.tools;
    const client = await this.connect(options);
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page += 1) {
      const listed = await client
        .listTools(cursor === undefined ? {} : { cursor }, {
          timeout: options.timeoutMs ?? this.config.timeoutMs,
          ...(options.signal ? { signal: options.signal } : {}),
        })
        .catch((error: unknown) => {
          // A server may accept `initialize` and ask for a token only here.
          throw this.oauth?.pending ? this.authorizationRequired() : error;
        });
      for (const tool of listed.tools) {
        if (!this.allowed(tool.name)) continue;
        tools.push({
          server: this.name,
          name: tool.name,
          description: tool.description ?? '',
          inputSchema: tool.inputSchema as Record<string, unknown>,
          ...(tool.outputSchema ? { outputSchema: tool.outputSchema as Record<string, unknown> } : {}),
        });
      }
      cursor = listed.nextCursor;
      if (!cursor) break;
    }
    this.tools = tools;
    this.state.toolCount = tools.length;
    return tools;
  }

  async callTool(
    tool: string,
    args: Record<string, unknown>,
    options: ToolCallOptions = {},
  ): Promise<ToolCallOutput> {
    if (!this.allowed(tool)) {
      throw new RomaError('TOOL_FAILED', `tool ${this.name}.${tool} is not in the server's allowTools list`, {
        field: `ptc.mcpServers.${this.name}.allowTools`,
      });
    }
    const client = await this.connect(options);
    let result: Awaited<ReturnType<Client['callTool']>>;
    const onNotice = options.onNotice;
    const call: CallInFlight = {
      ...(onNotice ? { onNotice } : {}),
      ...(options.sample ? { sample: options.sample } : {}),
    };
    this.calls.add(call);
    try {
      result = await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: options.timeoutMs ?? this.config.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(onNotice
          ? {
              onprogress: (progress: { progress: number; total?: number; message?: string }) =>
                onNotice({
                  kind: 'progress',
                  progress: progress.progress,
                  ...(progress.total === undefined ? {} : { total: progress.total }),
                  ...(progress.message === undefined ? {} : { message: progress.message }),
                }),
            }
          : {}),
      });
    } catch (error) {
      this.calls.delete(call);
      if (this.oauth?.pending) throw this.authorizationRequired();
      if (options.signal?.aborted)
        throw new RomaError('CANCELLED', `tool call ${this.name}.${tool} was cancelled`);
      throw new RomaError('TOOL_FAILED', this.redact(`${this.name}.${tool}: ${(error as Error).message}`), {
        retryable: true,
        cause: error,
      });
    }
    this.calls.delete(call);
    const raw = result as RawToolResult;
    const output = toToolCallOutput(raw);
    if (raw.isError === true) {
      throw new RomaError('TOOL_FAILED', this.redact(output.text || `${this.name}.${tool} failed`), {
        details: { server: this.name, tool },
      });
    }
    return output;
  }

  private requestOptions(options: ToolCallOptions) {
    return {
      timeout: options.timeoutMs ?? this.config.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    };
  }

  private resourceError(action: string, error: unknown): RomaError {
    return new RomaError('TOOL_FAILED', this.redact(`${this.name} ${action}: ${(error as Error).message}`), {
      retryable: true,
      cause: error,
    });
  }

  async listResources(options: ToolCallOptions = {}): Promise<McpResourceInfo[]> {
    const client = await this.connect(options);
    if (!client.getServerCapabilities()?.resources) return [];
    const resources: McpResourceInfo[] = [];
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_TOOL_PAGES && resources.length < MAX_RESOURCES; page += 1) {
        const listed = await client.listResources(
          cursor === undefined ? {} : { cursor },
          this.requestOptions(options),
        );
        for (const resource of listed.resources.slice(0, MAX_RESOURCES - resources.length)) {
          resources.push({
            uri: resource.uri,
            name: resource.name,
            ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
            ...(resource.description ? { description: resource.description } : {}),
          });
        }
        cursor = listed.nextCursor;
        if (!cursor) break;
      }
    } catch (error) {
      throw this.resourceError('listing resources', error);
    }
    return resources;
  }

  async readResource(uri: string, options: ToolCallOptions = {}): Promise<ToolContentPart[]> {
    const client = await this.connect(options);
    try {
      const read = await client.readResource({ uri }, this.requestOptions(options));
      return read.contents.map((item) =>
        resourcePart({
          uri: item.uri,
          ...(item.mimeType ? { mimeType: item.mimeType } : {}),
          ...('blob' in item && typeof item.blob === 'string' ? { blob: item.blob } : {}),
          ...('text' in item && typeof item.text === 'string' ? { text: item.text } : {}),
        }),
      );
    } catch (error) {
      throw this.resourceError(`reading resource ${uri.slice(0, 200)}`, error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.state.status = 'closed';
    const client = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    await client?.close().catch(() => undefined);
  }
}
