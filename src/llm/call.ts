// One model call through the AI SDK: text, a zod-checked object, or a text stream; typed errors, usage, cost.
import type { LanguageModelV3 } from '@ai-sdk/provider';
import {
  generateText,
  type LanguageModelUsage,
  NoObjectGeneratedError,
  NoOutputGeneratedError,
  Output,
  type Prompt,
  type ProviderMetadata,
  stepCountIs,
  streamText,
} from 'ai';
import type { z } from 'zod';
import { redactError } from '../config/secrets.js';
import { DEFAULT_MODEL_MAX_RETRIES, DEFAULT_MODEL_TIMEOUT_MS } from '../config/sections/llm.js';
import type { TokenUsage } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import { outputInvalid, toModelCallError } from './call-errors.js';
import { type CallSignal, createCallSignal } from './call-signal.js';
import { modelSettingsOf } from './model-settings.js';
import { outputSchemaOf } from './output-schema.js';
import { estimateCost, type PriceTable } from './prices.js';
import { sendAfter } from './send-after.js';
import type {
  ModelCallRequest,
  ModelCallResult,
  ModelTextStream,
  ModelToolCall,
  ObjectCallRequest,
} from './types.js';
import { toTokenUsage } from './usage.js';
import { warmPromptSchema } from './warm-prompt-schema.js';

/** Bounds tool loops even when a caller asks for more. */
const MAX_STEPS_LIMIT = 50;

interface PreparedCall {
  modelId: string;
  timeoutMs: number;
  prices: PriceTable;
  settings: ReturnType<typeof callSettings>;
  /** Provider errors may echo the key (a 401 body): every error leaves through this. */
  redact: (text: string) => string;
}

function fallbackModelId(model: LanguageModelV3): string {
  // `anthropic.messages` → `anthropic`, `openai.chat` → `openai`.
  return `${model.provider.split('.')[0]}:${model.modelId}`;
}

function promptOf(request: ModelCallRequest): Prompt {
  const system = request.system === undefined ? {} : { system: request.system };
  if (request.messages !== undefined) return { ...system, messages: request.messages };
  if (request.prompt !== undefined) return { ...system, prompt: request.prompt };
  throw new RomaError('VALIDATION_FAILED', 'a model call needs a prompt or messages', { field: 'prompt' });
}

function callSettings(request: ModelCallRequest, maxRetries: number, timeoutMs: number, signal: AbortSignal) {
  const maxSteps = Math.min(Math.max(1, request.maxSteps ?? 1), MAX_STEPS_LIMIT);
  return {
    model: request.sendAfter ? sendAfter(request.model, request.sendAfter) : request.model,
    ...promptOf(request),
    temperature: request.temperature,
    topP: request.topP,
    maxOutputTokens: request.maxOutputTokens,
    seed: request.seed,
    maxRetries,
    abortSignal: signal,
    // The AI SDK's own bound over the whole call, retries and their backoff included.
    timeout: { totalMs: timeoutMs },
    tools: request.tools,
    stopWhen: stepCountIs(maxSteps),
    providerOptions: request.providerOptions,
  };
}

function prepare(
  request: ModelCallRequest,
  stoppable: boolean,
): { prepared: PreparedCall; callSignal: CallSignal } {
  const settings = modelSettingsOf(request.model);
  const timeoutMs = request.timeoutMs ?? settings?.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS;
  const maxRetries = request.maxRetries ?? settings?.maxRetries ?? DEFAULT_MODEL_MAX_RETRIES;
  warmPromptSchema();
  const callSignal = createCallSignal(request.signal, stoppable);
  return {
    callSignal,
    prepared: {
      modelId: request.modelId ?? settings?.modelId ?? fallbackModelId(request.model),
      timeoutMs,
      prices: request.prices ?? settings?.prices ?? {},
      settings: callSettings(request, maxRetries, timeoutMs, callSignal.signal),
      redact: settings?.redact ?? ((text) => text),
    },
  };
}

interface StepView {
  providerMetadata: ProviderMetadata | undefined;
  toolCalls: ReadonlyArray<{ toolCallId: string; toolName: string; input: unknown }>;
}

function isCacheHit(steps: readonly StepView[]): boolean {
  return steps.length > 0 && steps.every((step) => step.providerMetadata?.roma?.cacheHit === true);
}

/** Tokens the cache answered instead of the provider, summed over the steps it served. */
function savedCounts(steps: readonly StepView[]): {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
} {
  const saved = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  for (const step of steps) {
    const savedUsage = step.providerMetadata?.roma?.savedUsage as Record<string, unknown> | undefined;
    if (!savedUsage || typeof savedUsage !== 'object') continue;
    for (const key of ['inputTokens', 'outputTokens', 'cachedInputTokens'] as const) {
      const value = savedUsage[key];
      if (typeof value === 'number' && Number.isFinite(value) && value > 0) saved[key] += value;
    }
  }
  return saved;
}

function buildResult<T>(
  value: T,
  text: string,
  outcome: { steps: readonly StepView[]; totalUsage: LanguageModelUsage; finishReason: string },
  prepared: PreparedCall,
  startedAt: number,
): ModelCallResult<T> {
  const cacheHit = isCacheHit(outcome.steps);
  const { usage, priced } = toTokenUsage(outcome.totalUsage, prepared.modelId, prepared.prices, cacheHit);
  const saved = savedCounts(outcome.steps);
  const savedUsage = { ...saved, costUsd: estimateCost(prepared.modelId, saved, prepared.prices).costUsd };
  const toolCalls: ModelToolCall[] = outcome.steps.flatMap((step) =>
    step.toolCalls.map((call) => ({
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      input: call.input,
    })),
  );
  return {
    value,
    text,
    usage,
    priced,
    modelId: prepared.modelId,
    durationMs: Math.round(performance.now() - startedAt),
    cacheHit,
    savedUsage,
    finishReason: outcome.finishReason,
    toolCalls,
  };
}

/** What a rejected answer cost; a cache hit replays zero usage and costs nothing. */
function spentUsage(
  usage: LanguageModelUsage | undefined,
  steps: readonly StepView[],
  prepared: PreparedCall,
): TokenUsage {
  return toTokenUsage(usage, prepared.modelId, prepared.prices, isCacheHit(steps)).usage;
}

/** A text answer. Throws RomaError MODEL_CALL_FAILED | CANCELLED | TIMEOUT. */
export async function callText(request: ModelCallRequest): Promise<ModelCallResult<string>> {
  const { prepared, callSignal } = prepare(request, false);
  const startedAt = performance.now();
  try {
    const result = await generateText(prepared.settings);
    return buildResult(result.text, result.text, result, prepared, startedAt);
  } catch (error) {
    throw redactError(
      toModelCallError(error, prepared.modelId, callSignal, prepared.timeoutMs),
      prepared.redact,
    );
  }
}

/** An object checked by `schema`; output that does not parse or fit → MODEL_OUTPUT_INVALID (raw text in details). */
export async function callObject<Schema extends z.ZodType>(
  request: ObjectCallRequest<Schema>,
): Promise<ModelCallResult<z.output<Schema>>> {
  const { prepared, callSignal } = prepare(request, false);
  const startedAt = performance.now();
  try {
    const result = await generateText({
      ...prepared.settings,
      output: Output.object({
        schema: outputSchemaOf(request.schema as z.ZodType<z.output<Schema>>),
        ...(request.schemaName === undefined ? {} : { name: request.schemaName }),
        ...(request.schemaDescription === undefined ? {} : { description: request.schemaDescription }),
      }),
    });
    let value: z.output<Schema>;
    try {
      value = result.output;
    } catch (error) {
      // The model stopped without a final answer (e.g. it only called tools).
      if (NoOutputGeneratedError.isInstance(error)) {
        throw outputInvalid(
          prepared.modelId,
          result.text,
          error,
          spentUsage(result.totalUsage, result.steps, prepared),
        );
      }
      throw error;
    }
    return buildResult(value, result.text, result, prepared, startedAt);
  } catch (error) {
    if (NoObjectGeneratedError.isInstance(error)) {
      // The answer was generated (and billed) but does not fit: its tokens count all the same.
      throw redactError(
        outputInvalid(prepared.modelId, error.text, error, spentUsage(error.usage, [], prepared)),
        prepared.redact,
      );
    }
    throw redactError(
      toModelCallError(error, prepared.modelId, callSignal, prepared.timeoutMs),
      prepared.redact,
    );
  }
}

/**
 * Streams text deltas. Iterate once; `result` settles when the stream ends, is broken out of or is cancelled,
 * and when the AI SDK's `timeout` ends it while it is iterated.
 */
export function streamTextCall(request: ModelCallRequest): ModelTextStream {
  const { prepared, callSignal } = prepare(request, true);
  const startedAt = performance.now();
  let settled = false;
  let resolveResult!: (value: ModelCallResult<string>) => void;
  let rejectResult!: (error: RomaError) => void;
  const result = new Promise<ModelCallResult<string>>((resolve, reject) => {
    resolveResult = (value) => {
      settled = true;
      resolve(value);
    };
    rejectResult = (error) => {
      settled = true;
      reject(error);
    };
  });
  // A consumer that only iterates must not see an unhandled rejection.
  result.catch(() => undefined);
  const fail = (error: unknown): RomaError => {
    const mapped = redactError(
      toModelCallError(error, prepared.modelId, callSignal, prepared.timeoutMs),
      prepared.redact,
    );
    if (!settled) rejectResult(mapped);
    return mapped;
  };
  if (callSignal.signal.aborted) fail(callSignal.signal.reason);
  else callSignal.signal.addEventListener('abort', () => fail(callSignal.signal.reason), { once: true });

  // Errors arrive as stream parts; the callback only keeps the SDK from logging them.
  const stream = streamText({ ...prepared.settings, onError: () => undefined });
  let iterated = false;

  async function* deltas(): AsyncGenerator<string> {
    if (iterated) throw new RomaError('INTERNAL', 'a model text stream can be iterated only once');
    iterated = true;
    let completed = false;
    try {
      for await (const part of stream.fullStream) {
        if (part.type === 'text-delta') yield part.text;
        else if (part.type === 'error') throw part.error;
        else if (part.type === 'abort') {
          // Not ours (caller or consumer): the SDK's own `timeout` ended the stream.
          throw callSignal.signal.aborted
            ? callSignal.signal.reason
            : new DOMException(`model stream timed out after ${prepared.timeoutMs} ms`, 'TimeoutError');
        }
      }
      const [text, steps, totalUsage, finishReason] = await Promise.all([
        stream.text,
        stream.steps,
        stream.totalUsage,
        stream.finishReason,
      ]);
      completed = true;
      if (!settled)
        resolveResult(buildResult(text, text, { steps, totalUsage, finishReason }, prepared, startedAt));
    } catch (error) {
      throw fail(error);
    } finally {
      if (!completed) {
        // Broken out of early (or failed): stop the HTTP request instead of letting it run on.
        callSignal.stop();
        fail(callSignal.signal.reason);
      }
    }
  }

  return {
    result,
    cancel: () => callSignal.stop(),
    [Symbol.asyncIterator]: () => deltas(),
  };
}
