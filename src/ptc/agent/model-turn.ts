// One model call of the agent: bounded in time, usage and cost accounted, recorded as an llm-call event.
import { generateText, type LanguageModel, type ModelMessage, type ToolSet } from 'ai';
import type { TokenUsage } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';

export interface ModelTurnInput {
  model: LanguageModel;
  modelId: string;
  system: string;
  messages: ModelMessage[];
  signal: AbortSignal;
  timeoutMs: number;
  maxOutputTokens?: number;
  costOf?: (modelId: string, usage: TokenUsage) => number;
}

export interface ModelTurnOutput {
  text: string;
  usage: TokenUsage;
  cacheHit: boolean;
  durationMs: number;
}

export function usageOf(
  usage: {
    inputTokens?: number | undefined;
    outputTokens?: number | undefined;
    inputTokenDetails?: { cacheReadTokens?: number | undefined };
  },
  modelId: string,
  costOf?: (modelId: string, usage: TokenUsage) => number,
): TokenUsage {
  const tokens: TokenUsage = {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    cachedInputTokens: usage.inputTokenDetails?.cacheReadTokens ?? 0,
    costUsd: 0,
  };
  return { ...tokens, costUsd: costOf ? costOf(modelId, tokens) : 0 };
}

export function readCacheHit(providerMetadata: unknown): boolean {
  const roma = (providerMetadata as { roma?: { cacheHit?: unknown } } | undefined)?.roma;
  return roma?.cacheHit === true;
}

export function modelCallError(error: unknown, signal: AbortSignal, timeoutSignal: AbortSignal): RomaError {
  if (signal.aborted) return new RomaError('CANCELLED', 'the model call was cancelled');
  if (timeoutSignal.aborted) return new RomaError('TIMEOUT', 'the model call timed out', { retryable: true });
  return new RomaError('MODEL_CALL_FAILED', (error as Error).message ?? String(error), { cause: error });
}

export async function callModelTurn(input: ModelTurnInput, tools?: ToolSet): Promise<ModelTurnOutput> {
  const started = performance.now();
  const timeoutSignal = AbortSignal.timeout(input.timeoutMs);
  try {
    const result = await generateText({
      model: input.model,
      system: input.system,
      messages: input.messages,
      temperature: 0,
      maxRetries: 1,
      abortSignal: AbortSignal.any([input.signal, timeoutSignal]),
      ...(input.maxOutputTokens ? { maxOutputTokens: input.maxOutputTokens } : {}),
      ...(tools ? { tools } : {}),
    });
    return {
      text: result.text,
      usage: usageOf(result.usage, input.modelId, input.costOf),
      cacheHit: readCacheHit(result.providerMetadata),
      durationMs: performance.now() - started,
    };
  } catch (error) {
    throw modelCallError(error, input.signal, timeoutSignal);
  }
}
