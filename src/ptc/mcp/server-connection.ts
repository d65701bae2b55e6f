// One MCP server: connected on first use, kept open across executions, reconnected after it drops.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { SecretList } from '../../config/secrets.js';
import type { McpServerConfig } from '../../config/sections/ptc.js';
import { RomaError } from '../../contracts/index.js';
import { type RawToolResult, resourcePart, toToolCallOutput } from './tool-result.js';
import { buildTransport } from './transports.js';
import type {
  McpResourceInfo,
  McpServerState,
  McpToolInfo,
  ToolCallOptions,
  ToolCallOutput,
  ToolContentPart,
  ToolNotice,
} from './types.js';

const MAX_TOOL_PAGES = 50;
/** Bound on resources listed from one server (a hostile server can page forever). */
const MAX_RESOURCES = 1_000;

export class McpServerConnection {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private tools: McpToolInfo[] | null = null;
  private state: McpServerState;
  private closed = false;
  /** Listeners of the calls in flight: a log notification or a declined request is not tied to one call. */
  private readonly listeners = new Set<(notice: ToolNotice) => void>();

  constructor(
    readonly name: string,
    private readonly config: McpServerConfig,
    private readonly hostEnv: Record<string, string | undefined>,
    /** The process's one secret list: the values this server's config substitutes are added to it. */
    private readonly secrets: SecretList,
  ) {
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
      built = buildTransport(this.name, this.config, this.hostEnv);
    } catch (error) {
      this.state.status = 'failed';
      this.state.error = (error as Error).message;
      throw error;
    }
    this.secrets.add(built.secrets);
    // Elicitation is declared so that servers ask rather than fail, and every request is declined: a PTC run
    // has no person to answer it. Sampling is not declared (compliant servers do not ask).
    const client = new Client({ name: 'roma-ptc', version: '0.1.0' }, { capabilities: { elicitation: {} } });
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
    try {
      await client.connect(built.transport, {
        timeout: options.timeoutMs ?? this.config.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      await client.close().catch(() => undefined);
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

  redact(text: string): string {
    return this.secrets.redact(text);
  }

  private notify(notice: ToolNotice): void {
    for (const listener of this.listeners) listener(notice);
  }

  async listTools(options: ToolCallOptions = {}): Promise<McpToolInfo[]> {
    if (this.tools) return this.tools;
    const client = await this.connect(options);
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page += 1) {
      const listed = await client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout: options.timeoutMs ?? this.config.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
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
    if (onNotice) this.listeners.add(onNotice);
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
      if (onNotice) this.listeners.delete(onNotice);
      if (options.signal?.aborted)
        throw new RomaError('CANCELLED', `tool call ${this.name}.${tool} was cancelled`);
      throw new RomaError('TOOL_FAILED', this.redact(`${this.name}.${tool}: ${(error as Error).message}`), {
        retryable: true,
        cause: error,
      });
    }
    if (onNotice) this.listeners.delete(onNotice);
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
