// What the PTC agent needs from MCP: tool listings and tool calls, behind an interface the manager implements.

/** A JSON Schema object as a server declares it (`inputSchema` of a tool). */
export type JsonSchema = Record<string, unknown>;

export interface McpToolInfo {
  server: string;
  name: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
}

export type McpServerStatus = 'idle' | 'connecting' | 'connected' | 'failed' | 'closed';

export interface McpServerState {
  name: string;
  transport: 'stdio' | 'http' | 'sse';
  status: McpServerStatus;
  /** Tools exposed after the allowlist; null until listed. */
  toolCount: number | null;
  /** Times the connection was (re)established. */
  connects: number;
  error: string | null;
}

/** What a server said during a call: progress, a log message, or a request of it that the host declined. */
export type ToolNotice =
  | { kind: 'progress'; progress: number; total?: number; message?: string }
  | { kind: 'log'; level: string; message: string }
  | { kind: 'declined'; message: string };

/** A server's `sampling/createMessage`, reduced to what roma answers: text messages, a capped reply. */
export interface SamplingRequest {
  server: string;
  systemPrompt?: string;
  messages: Array<{ role: 'user' | 'assistant'; text: string }>;
  /** The server's `maxTokens`, lowered to the server's `sampling.maxOutputTokens`. */
  maxOutputTokens: number;
}

export interface SamplingAnswer {
  text: string;
  model: string;
  stopReason: 'endTurn' | 'maxTokens';
}

/**
 * Answers a server's sampling request with the run's model, inside the run's budget (the PTC agent gives one
 * per plan); throws a RomaError with the reason to refuse.
 */
export type Sampler = (request: SamplingRequest, signal?: AbortSignal) => Promise<SamplingAnswer>;

export interface ToolCallOptions {
  signal?: AbortSignal;
  /** Progress and log notifications during this call (and requests the host declined), as they come. */
  onNotice?: (notice: ToolNotice) => void;
  /** Overrides the server's configured `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Answers the server's sampling requests while this call is in flight; absent: they are refused. */
  sample?: Sampler;
}

export interface ToolCallOutput {
  /** Structured content, else the text parsed as JSON when it is JSON, else the text. */
  value: unknown;
  /** The content as text, what a model would read in direct mode. */
  text: string;
  /** UTF-8 size of `text` plus the base64 length of binary parts. */
  bytes: number;
  /** Every content part the server sent (images, audio, resources and links included). */
  content?: ToolContentPart[];
}

/** One part of a tool result or resource: text as text, binary as base64 with its MIME type. */
export type ToolContentPart =
  | { type: 'text'; text: string }
  | { type: 'image' | 'audio'; mimeType: string; data: string; bytes: number }
  | { type: 'resource'; uri: string; mimeType?: string; text: string }
  | { type: 'resource'; uri: string; mimeType?: string; blob: string; bytes: number }
  | { type: 'resource_link'; uri: string; name: string; mimeType?: string; description?: string };

/** A resource a server lists (`resources/list`). */
export interface McpResourceInfo {
  uri: string;
  name: string;
  mimeType?: string;
  description?: string;
}

/** Tool listing and calling across the configured servers; errors are RomaError `TOOL_FAILED`. */
export interface ToolProvider {
  serverNames(): string[];
  listTools(server: string, options?: ToolCallOptions): Promise<McpToolInfo[]>;
  callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    options?: ToolCallOptions,
  ): Promise<ToolCallOutput>;
  /** `resources/list` of one server (bounded pages); absent on providers without resources. */
  listResources?(server: string, options?: ToolCallOptions): Promise<McpResourceInfo[]>;
  /** `resources/read`: each item as a content part (text, or a base64 blob with its MIME type). */
  readResource?(server: string, uri: string, options?: ToolCallOptions): Promise<ToolContentPart[]>;
  status(): McpServerState[];
  /** Replaces every host secret (resolved `${VAR}` values) in `text` with `***`. */
  redact(text: string): string;
  close(): Promise<void>;
}
