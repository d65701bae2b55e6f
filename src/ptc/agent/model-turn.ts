// One model call of the agent through the model layer's callText, added to the loop's usage and recorded as
// an llm-call event (with what the LLM-response cache saved).
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ModelMessage, ToolSet } from 'ai';
import { redactError, redactJsonValue } from '../../config/secrets.js';
import type { PTCExecutionPlan } from '../../contracts/index.js';
import { addUsage, RomaError, type TokenUsage, toRomaError } from '../../contracts/index.js';
import { callText, type ModelCallResult, modelCallFigures } from '../../llm/index.js';
import { planEvent } from './events.js';
import { estimateInputTokens } from './input-estimate.js';
import type { LoopState } from './loop-state.js';
import { withPromptCacheMarks } from './prompt-cache-marks.js';
import type { AgentRunContext, PtcAgentDeps } from './types.js';

interface ModelTurnInput {
  model: LanguageModelV3;
  /** The plan's model, else the registry's default; undefined lets the model layer name it. */
  modelId: string | undefined;
  system: string;
  messages: ModelMessage[];
  /** Offered without `execute`: the direct loop runs the calls itself, one model call per step. */
  tools?: ToolSet;
  /** Overrides the agent's `maxOutputTokens` (a server's sampling request, capped by its config). */
  maxOutputTokens?: number;
}

/** The model to use for a plan and the id to report it by. */
export function planModel(
  plan: PTCExecutionPlan,
  deps: PtcAgentDeps,
): { model: LanguageModelV3; modelId: string | undefined } {
  return { model: deps.models.resolve(plan.model), modelId: plan.model ?? deps.models.defaultModelId };
}

function usageOf(error: unknown): TokenUsage | undefined {
  const usage = error instanceof RomaError ? (error.details?.usage as TokenUsage | undefined) : undefined;
  return usage && typeof usage.inputTokens === 'number' ? usage : undefined;
}

/**
 * Throws the model layer's RomaError (CANCELLED, TIMEOUT, MODEL_CALL_FAILED) after recording the failure, and
 * BUDGET_EXCEEDED without calling when the input alone would pass what is left of `tokenBudget`.
 */
export async function callModelTurn(
  plan: PTCExecutionPlan,
  input: ModelTurnInput,
  deps: PtcAgentDeps,
  context: AgentRunContext,
  state: LoopState,
): Promise<ModelCallResult<string>> {
  const spent = state.usage.inputTokens + state.usage.outputTokens;
  const estimated = estimateInputTokens(input.system, input.messages, input.tools);
  if (spent + estimated > plan.limits.tokenBudget) {
    throw new RomaError(
      'BUDGET_EXCEEDED',
      `tokenBudget (${plan.limits.tokenBudget}): the next model call's input (about ${estimated} tokens) would pass it after ${spent} tokens spent`,
      { field: 'limits.tokenBudget' },
    );
  }
  const release = context.acquireModelCallSlot
    ? await context.acquireModelCallSlot(context.signal)
    : undefined;
  const startedAt = performance.now();
  let result: ModelCallResult<string>;
  try {
    result = await callText({
      model: input.model,
      ...(input.modelId ? { modelId: input.modelId } : {}),
      // The last gate before the provider: nothing built from tool results or output carries a secret.
      ...withPromptCacheMarks(
        input.model.provider,
        context.redact(input.system),
        redactJsonValue(input.messages, context.redact),
      ),
      temperature: 0,
      signal: context.signal,
      // Timeout, retries and prices come with the model from the registry (llm.timeoutMs, llm.maxRetries, llm.prices).
      ...((input.maxOutputTokens ?? deps.maxOutputTokens)
        ? { maxOutputTokens: input.maxOutputTokens ?? deps.maxOutputTokens }
        : {}),
      ...(input.tools ? { tools: input.tools } : {}),
      // Read by the LLM-response cache: the `ptc` module policy, and the run whose entries it records.
      providerOptions: { roma: { module: 'ptc', executionId: plan.executionId, taskId: plan.taskId } },
    });
  } catch (error) {
    // What a failed call was billed for (an answer rejected after it was generated) is booked all the same.
    await release?.(usageOf(error));
    // A provider's error may echo the request or the key (a 401 body): scrubbed before it is shown or stored.
    const romaError = redactError(toRomaError(error, 'MODEL_CALL_FAILED'), context.redact);
    await context.emit(
      planEvent(plan, 'llm-call', {
        taskId: plan.taskId,
        module: 'ptc',
        model: input.modelId ?? 'default',
        inputTokens: 0,
        outputTokens: 0,
        cachedInputTokens: 0,
        costUsd: 0,
        cacheHit: false,
        durationMs: performance.now() - startedAt,
        ok: false,
        error: romaError.message,
      }),
    );
    throw romaError;
  }
  await release?.(result.usage);
  state.usage = addUsage(state.usage, result.usage);
  await context.emit(
    planEvent(plan, 'llm-call', {
      taskId: plan.taskId,
      module: 'ptc',
      ...modelCallFigures(result),
      ok: true,
    }),
  );
  return result;
}
