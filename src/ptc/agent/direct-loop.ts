// Direct tool-calling mode: classic JSON tool calls, each tool result into the model's context (the baseline).
import { generateText, type JSONSchema7, jsonSchema, stepCountIs, type ToolSet, tool } from 'ai';
import type { PTCArtifactResult, PTCExecutionPlan } from '../../contracts/index.js';
import { addUsage, toRomaError } from '../../contracts/index.js';
import { callToolRecorded } from '../bridge/tool-bridge.js';
import { toIdentifier } from '../modules/identifiers.js';
import type { ToolCatalog } from '../modules/tool-catalog.js';
import { planEvent } from './events.js';
import type { LoopState } from './loop-state.js';
import { modelCallError, readCacheHit, usageOf } from './model-turn.js';
import { taskMessage } from './prompt.js';
import type { AgentRunContext, PtcAgentDeps } from './types.js';

const DEFAULT_MODEL_TIMEOUT_MS = 120_000;
/** Tool calls take a step each, so direct mode gets more steps than code mode gets runs. */
const STEPS_PER_ITERATION = 3;

type Outcome = Pick<PTCArtifactResult, 'status' | 'summary' | 'error'>;

export function directToolName(server: string, toolName: string): string {
  return `${toIdentifier(server)}__${toIdentifier(toolName)}`.slice(0, 64);
}

function directSystemPrompt(catalog: ToolCatalog): string {
  return [
    'You are a tool-using assistant. Call the tools you need, then answer the task.',
    `Tools come from MCP servers: ${catalog.servers.map((server) => `${server.name} (${server.tools.length})`).join(', ') || 'none'}.`,
    'When you know the answer, reply with `FINAL ANSWER:` followed by the answer.',
  ].join('\n');
}

export async function runDirectLoop(
  plan: PTCExecutionPlan,
  catalog: ToolCatalog,
  deps: PtcAgentDeps,
  context: AgentRunContext,
  state: LoopState,
): Promise<Outcome> {
  const modelId = plan.model ?? deps.models.defaultModelId ?? 'default';
  const model = deps.models.resolve(plan.model);
  const bridge = {
    provider: deps.tools,
    catalog,
    executionId: plan.executionId,
    taskId: plan.taskId,
    planId: plan.planId,
    emit: context.emit,
    signal: context.signal,
    records: state.toolCalls,
  };
  const tools: ToolSet = {};
  for (const server of catalog.servers) {
    for (const info of server.tools) {
      tools[directToolName(server.name, info.name)] = tool({
        description: info.description,
        inputSchema: jsonSchema(info.inputSchema as JSONSchema7),
        // The whole tool result enters the context: that is what this mode is the baseline for.
        execute: async (args: unknown) =>
          (await callToolRecorded(bridge, server.name, info.name, (args ?? {}) as Record<string, unknown>))
            .text,
      });
    }
  }
  const timeoutSignal = AbortSignal.timeout(
    (deps.modelTimeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS) * STEPS_PER_ITERATION * plan.limits.maxIterations,
  );
  const maxSteps = plan.limits.maxIterations * STEPS_PER_ITERATION;
  let stepStarted = performance.now();
  let result: Awaited<ReturnType<typeof generateText>>;
  try {
    result = await generateText({
      model,
      system: directSystemPrompt(catalog),
      messages: [{ role: 'user', content: taskMessage(plan) }],
      tools,
      temperature: 0,
      maxRetries: 1,
      abortSignal: AbortSignal.any([context.signal, timeoutSignal]),
      ...(deps.maxOutputTokens ? { maxOutputTokens: deps.maxOutputTokens } : {}),
      stopWhen: [
        stepCountIs(maxSteps),
        () => state.usage.inputTokens + state.usage.outputTokens >= plan.limits.tokenBudget,
      ],
      onStepFinish: async (step) => {
        const usage = usageOf(step.usage, modelId, deps.costOf);
        state.usage = addUsage(state.usage, usage);
        await context.emit(
          planEvent(plan, 'llm-call', {
            taskId: plan.taskId,
            module: 'ptc',
            model: modelId,
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            cachedInputTokens: usage.cachedInputTokens,
            costUsd: usage.costUsd,
            cacheHit: readCacheHit(step.providerMetadata),
            durationMs: performance.now() - stepStarted,
            ok: true,
          }),
        );
        stepStarted = performance.now();
      },
    });
  } catch (error) {
    throw toRomaError(modelCallError(error, context.signal, timeoutSignal));
  }
  const text = result.text.replace(/^[\s\S]*?FINAL ANSWER\s*:\s*/i, '').trim();
  if (result.finishReason === 'tool-calls') {
    const spent = state.usage.inputTokens + state.usage.outputTokens;
    const message =
      spent >= plan.limits.tokenBudget
        ? `tokenBudget (${plan.limits.tokenBudget}) spent after ${spent} tokens`
        : `${maxSteps} steps reached without a final answer`;
    return {
      status: state.toolCalls.some((call) => call.ok) ? 'PARTIAL_SUCCESS' : 'FAILURE',
      summary: text,
      error: { code: 'BUDGET_EXCEEDED', message },
    };
  }
  return { status: 'SUCCESS', summary: text, error: null };
}
