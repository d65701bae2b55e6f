// Types of the scripted model server: rules (match → reply) and the record of every request it received.

export type ScriptedProvider = 'openai' | 'anthropic';

/** All conditions given must hold; an absent `match` (or an empty one) matches every request. */
export interface ScriptedMatch {
  /** Substring(s) of the whole request text (system + every message + tool results); all must occur. */
  contains?: string | string[];
  /** A JavaScript regular expression source tested against the whole request text. */
  regex?: string;
  provider?: ScriptedProvider;
  /** Exact model name sent on the wire (without the `openai:`/`anthropic:` prefix of roma model ids). */
  model?: string;
}

export interface ScriptedToolCall {
  name: string;
  args: unknown;
  /** Tool call id sent to the client; generated when absent. */
  id?: string;
}

export interface ScriptedUsage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens reported as read from the provider's prompt cache. */
  cachedInputTokens?: number;
}

export interface ScriptedReply {
  text?: string;
  /** A structured answer: sent as JSON text content, or as the forced `json` tool call Anthropic asks for. */
  json?: unknown;
  toolCalls?: ScriptedToolCall[];
  /** Defaults to about one token per four characters of request and reply (never zero). */
  usage?: ScriptedUsage;
  /** Wait before answering; overrides the server-wide `latencyMs`. */
  latencyMs?: number;
  /** Wait between streamed chunks (streaming requests only). */
  chunkDelayMs?: number;
  /** An HTTP error status (>= 400) to answer with instead of a completion. */
  status?: number;
  /** Body of the error response; a provider-shaped error naming the status by default. */
  errorBody?: unknown;
  /**
   * `retry-after-ms` header on error replies, which the AI SDK honours instead of its 2 s initial backoff;
   * 5 ms by default so retry tests stay quick; `null` sends no header.
   */
  retryAfterMs?: number | null;
}

export interface ScriptedToolResult {
  toolCallId: string;
  /** Name of the tool, found from the assistant's earlier tool call with the same id. */
  toolName: string | undefined;
  /** The result as text (JSON or plain, as the client sent it). */
  output: string;
}

export interface ScriptedRequest {
  /** Order of arrival, from 0. */
  index: number;
  provider: ScriptedProvider;
  path: string;
  model: string;
  /** The JSON body as the client sent it. */
  body: Record<string, unknown>;
  stream: boolean;
  /** System prompt + every message + tool calls and results, joined by newlines: what rules match against. */
  text: string;
  /** Tool results sent back by the client, in order. */
  toolResults: ScriptedToolResult[];
  /** Names of the tools offered to the model. */
  toolNames: string[];
  /** Name (or index, `#2`) of the rule that answered; undefined when none matched. */
  matchedRule: string | undefined;
  /** Epoch milliseconds when the request body was fully read. */
  receivedAt: number;
  /** True when the client hung up before the reply was fully sent (an aborted call, a stream broken off). */
  clientAborted: boolean;
}

export type ScriptedReplyFunction = (request: ScriptedRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedRule {
  name?: string;
  match?: ScriptedMatch;
  reply: ScriptedReply | ScriptedReplyFunction;
  /** Answer at most this many requests, then let later rules answer. */
  times?: number;
}

export interface ScriptedModelServerOptions {
  rules: ScriptedRule[];
  /** Wait before every reply unless the reply sets its own. */
  latencyMs?: number;
  /** 0 (default) picks a free port. */
  port?: number;
  /** 127.0.0.1 by default. */
  host?: string;
}

export interface ScriptedModelServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Base URL for `createOpenAI({ baseURL })` / `llm.openaiBaseUrl`. */
  openaiBaseUrl: string;
  /** Base URL for `createAnthropic({ baseURL })` / `llm.anthropicBaseUrl`. */
  anthropicBaseUrl: string;
  /** Every request received, in order of arrival (live array). */
  requests: ScriptedRequest[];
  /** Replaces the rules and resets their `times` counters; recorded requests are kept. */
  setRules(rules: ScriptedRule[]): void;
  clearRequests(): void;
  close(): Promise<void>;
}
