// Answers an MCP server's sampling requests during a plan's tool calls: the plan's model, inside its token budget.
import type { ModelMessage } from 'ai';
import type { PTCExecutionPlan } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';
import type { Sampler } from '../mcp/types.js';
import { estimateInputTokens } from './input-estimate.js';
import type { LoopState } from './loop-state.js';
import { callModelTurn, planModel } from './model-turn.js';
import type { AgentRunContext, PtcAgentDeps } from './types.js';

/** Requests answered per plan run: a server that asks in a loop cannot spend the whole budget on its own. */
export const MAX_SAMPLING_REQUESTS_PER_PLAN = 10;

/**
 * Each answer is one model call recorded like the agent's own (an `llm-call` event, usage added to the
 * plan's, so the run's budgets count it); its output is capped by what is left of `tokenBudget`.
 */
export function createSampler(
  plan: PTCExecutionPlan,
  deps: PtcAgentDeps,
  context: AgentRunContext,
  state: LoopState,
): Sampler {
  let answered = 0;
  return async (request, signal) => {
    if (answered >= MAX_SAMPLING_REQUESTS_PER_PLAN) {
      throw new RomaError(
        'BUDGET_EXCEEDED',
        `at most ${MAX_SAMPLING_REQUESTS_PER_PLAN} sampling requests per plan`,
      );
    }
    answered += 1;
    const system = request.systemPrompt ?? '';
    const messages: ModelMessage[] = request.messages.map((message) =>
      message.role === 'user'
        ? { role: 'user', content: message.text }
        : { role: 'assistant', content: message.text },
    );
    const spent = state.usage.inputTokens + state.usage.outputTokens;
    const room = plan.limits.tokenBudget - spent - estimateInputTokens(system, messages);
    if (room < 1) {
      throw new RomaError(
        'BUDGET_EXCEEDED',
        `no room left in tokenBudget (${plan.limits.tokenBudget}) for a sampling answer`,
        {
          field: 'limits.tokenBudget',
        },
      );
    }
    const { model, modelId } = planModel(plan, deps);
    const result = await callModelTurn(
      plan,
      { model, modelId, system, messages, maxOutputTokens: Math.min(request.maxOutputTokens, room) },
      deps,
      signal ? { ...context, signal: AbortSignal.any([context.signal, signal]) } : context,
      state,
    );
    return {
      text: result.text,
      model: result.modelId,
      stopReason: result.finishReason === 'length' ? 'maxTokens' : 'endTurn',
    };
  };
}
