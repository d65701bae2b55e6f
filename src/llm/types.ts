// Request and result shapes of one model call (text, structured object or text stream).
import type { LanguageModelV3, SharedV3ProviderOptions } from '@ai-sdk/provider';
import type { ModelMessage, SystemModelMessage, ToolSet } from 'ai';
import type { z } from 'zod';
import type { TokenUsage } from '../contracts/index.js';
import type { PriceTable } from './prices.js';

export interface ModelCallRequest {
  model: LanguageModelV3;
  /** `anthropic:claude-sonnet-4-5`; used for cost and messages. Defaults to the id the registry resolved. */
  modelId?: string;
  /** Text, or a system message carrying provider options (e.g. Anthropic's prompt-cache mark). */
  system?: string | SystemModelMessage;
  /** Either `prompt` or `messages`. */
  prompt?: string;
  messages?: ModelMessage[];
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  seed?: number;
  /** Aborting it ends the call with a CANCELLED error. */
  signal?: AbortSignal;
  /** For the whole call, retries included; default `llm.timeoutMs` (120 s). */
  timeoutMs?: number;
  /** Retries on 408/409/429/5xx and network errors, with exponential backoff; default `llm.maxRetries`. */
  maxRetries?: number;
  /** Tools the model may call; their `execute` runs between steps. */
  tools?: ToolSet;
  /** Model round trips allowed when tools are given (each tool result costs one more); default 1. */
  maxSteps?: number;
  /** Price overrides; default: those of the registry that resolved `model`. */
  prices?: PriceTable;
  providerOptions?: SharedV3ProviderOptions;
  /**
   * The request leaves only once this resolves, and the call fails with its failure if it rejects; the SDK
   * prepares the request meanwhile. The engine passes "the run's log is durable and it may still call".
   */
  sendAfter?: Promise<void>;
}

export interface ObjectCallRequest<Schema extends z.ZodType> extends ModelCallRequest {
  schema: Schema;
  /** Helps some providers (tool or schema name). */
  schemaName?: string;
  schemaDescription?: string;
}

export interface ModelToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export interface ModelCallResult<T> {
  value: T;
  /** The model's final text (for an object call, the raw JSON text). */
  text: string;
  /** Summed over every step; `costUsd` from the price table, 0 on a cache hit. */
  usage: TokenUsage;
  /** False when the model has no price in the table (its cost shows as 0). */
  priced: boolean;
  modelId: string;
  durationMs: number;
  /** Every step was answered by the LLM-response cache (`providerMetadata.roma.cacheHit`). */
  cacheHit: boolean;
  /** What the cache saved: the original call's tokens and their price (zeros when nothing was cached). */
  savedUsage: TokenUsage;
  finishReason: string;
  /** Tool calls the model made, over all steps. */
  toolCalls: ModelToolCall[];
}

/** Text deltas as they arrive; breaking out of the loop cancels the HTTP request. */
export interface ModelTextStream extends AsyncIterable<string> {
  /** Settles when the stream ends: the full result, or the error that ended it (CANCELLED after a break). */
  readonly result: Promise<ModelCallResult<string>>;
  /** Stops the call; iteration ends and `result` rejects with CANCELLED. */
  cancel(): void;
}
