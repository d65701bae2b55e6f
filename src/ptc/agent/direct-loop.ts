// Direct tool-calling mode: classic JSON tool calls, each tool result into the model's context (the baseline).
import {
  type AssistantModelMessage,
  type JSONSchema7,
  jsonSchema,
  type ModelMessage,
  type ToolModelMessage,
  type ToolResultPart,
  type ToolSet,
  tool,
} from 'ai';
import type { PTCArtifactResult, PTCExecutionPlan } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';
import type { ModelToolCall } from '../../llm/index.js';
import { callToolRecorded, type ToolBridgeOptions } from '../bridge/tool-bridge.js';
import { partText } from '../mcp/tool-result.js';
import type { ToolContentPart } from '../mcp/types.js';
import { toIdentifier } from '../modules/identifiers.js';
import type { ToolCatalog } from '../modules/tool-catalog.js';
import { bridgeOptionsFor } from './bridge-options.js';
import type { LoopState } from './loop-state.js';
import { callModelTurn, planModel } from './model-turn.js';
import { taskMessage } from './prompt.js';
import type { AgentRunContext, PtcAgentDeps } from './types.js';

/** Tool calls take a step each, so direct mode gets more steps than code mode gets runs. */
const STEPS_PER_ITERATION = 3;

type Outcome = Pick<PTCArtifactResult, 'status' | 'summary' | 'error'>;

function directToolName(server: string, toolName: string): string {
  return `${toIdentifier(server)}__${toIdentifier(toolName)}`.slice(0, 64);
}

function directSystemPrompt(catalog: ToolCatalog): string {
  return [
    'You are a tool-using assistant. Call the tools you need, then answer the task.',
    `Tools come from MCP servers: ${catalog.servers.map((server) => `${server.name} (${server.tools.length})`).join(', ') || 'none'}.`,
    'When you know the answer, reply with `FINAL ANSWER:` followed by the answer.',
  ].join('\n');
}

type ToolOutput = ToolResultPart['output'];

/**
 * Providers whose tool results can carry images and files (Anthropic's tool_result blocks, OpenAI Responses'
 * function_call_output); OpenAI Chat tool messages are text only, so there an image stays a one-line note.
 */
function acceptsMediaResults(model: { provider: string }): boolean {
  return model.provider.startsWith('anthropic') || model.provider === 'openai.responses';
}

/** What a direct-calling agent sends back: the text, and images/audio/blobs as media parts where accepted. */
function toolResultOutput(text: string, content: readonly ToolContentPart[], media: boolean): ToolOutput {
  const binary = content.filter(
    (part) => part.type === 'image' || part.type === 'audio' || (part.type === 'resource' && 'blob' in part),
  );
  if (!media || binary.length === 0) return { type: 'text', value: text };
  return {
    type: 'content',
    value: content.map((part) => {
      if (part.type === 'image') return { type: 'image-data', data: part.data, mediaType: part.mimeType };
      if (part.type === 'audio') return { type: 'file-data', data: part.data, mediaType: part.mimeType };
      if (part.type === 'resource' && 'blob' in part) {
        return { type: 'file-data', data: part.blob, mediaType: part.mimeType ?? 'application/octet-stream' };
      }
      return { type: 'text', text: partText(part) };
    }),
  };
}

/** `<server>__<tool>` → the MCP tool it stands for. */
type DirectTools = Map<string, { server: string; tool: string }>;

/**
 * Runs one step's tool calls in parallel (as the AI SDK would) and returns the messages that carry them back:
 * the assistant's text and calls, then every whole result — or the error's message — in call order.
 */
async function runToolCalls(
  text: string,
  calls: readonly ModelToolCall[],
  directTools: DirectTools,
  bridge: ToolBridgeOptions,
  media: boolean,
): Promise<ModelMessage[]> {
  const assistant: AssistantModelMessage = {
    role: 'assistant',
    content: [
      ...(text.length > 0 ? [{ type: 'text' as const, text }] : []),
      ...calls.map((call) => ({
        type: 'tool-call' as const,
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        input: typeof call.input === 'object' && call.input !== null ? call.input : {},
      })),
    ],
  };
  const results = await Promise.all(
    calls.map(async (call) => {
      const target = directTools.get(call.toolName);
      const args = (typeof call.input === 'object' && call.input !== null ? call.input : {}) as Record<
        string,
        unknown
      >;
      try {
        if (!target) throw new Error(`unknown tool ${call.toolName}`);
        // The whole tool result enters the context: that is what this mode is the baseline for.
        const output = await callToolRecorded(bridge, target.server, target.tool, args);
        return toolResultOutput(output.text, output.content, media);
      } catch (error) {
        return {
          type: 'error-text' as const,
          value: (error as Error).message ?? String(error),
        } as ToolOutput;
      }
    }),
  );
  const toolMessage: ToolModelMessage = {
    role: 'tool',
    content: calls.map((call, index) => ({
      type: 'tool-result' as const,
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      output: results[index]!,
    })),
  };
  return [assistant, toolMessage];
}

export async function runDirectLoop(
  plan: PTCExecutionPlan,
  catalog: ToolCatalog,
  deps: PtcAgentDeps,
  context: AgentRunContext,
  state: LoopState,
): Promise<Outcome> {
  const { model, modelId } = planModel(plan, deps);
  const bridge = bridgeOptionsFor(plan, catalog, deps, context, state);
  const tools: ToolSet = {};
  const directTools: DirectTools = new Map();
  for (const server of catalog.servers) {
    for (const info of server.tools) {
      const name = directToolName(server.name, info.name);
      directTools.set(name, { server: server.name, tool: info.name });
      tools[name] = tool({
        description: info.description,
        inputSchema: jsonSchema(info.inputSchema as JSONSchema7),
      });
    }
  }
  const system = directSystemPrompt(catalog);
  const messages: ModelMessage[] = [{ role: 'user', content: taskMessage(plan) }];
  const maxSteps = plan.limits.maxIterations * STEPS_PER_ITERATION;
  let text = '';
  let budgetMessage: string | undefined;
  // One model call per step, so each is its own llm-call event (and its own LLM-cache entry).
  for (let step = 1; step <= maxSteps; step += 1) {
    const reply = await callModelTurn(
      plan,
      { model, modelId, system, messages, tools },
      deps,
      context,
      state,
    ).catch((error: unknown) => {
      if (error instanceof RomaError && error.code === 'BUDGET_EXCEEDED') return error;
      throw error;
    });
    if (reply instanceof RomaError) {
      budgetMessage = reply.message;
      break;
    }
    text = reply.text;
    if (reply.toolCalls.length === 0) return { status: 'SUCCESS', summary: finalAnswer(text), error: null };
    messages.push(
      ...(await runToolCalls(reply.text, reply.toolCalls, directTools, bridge, acceptsMediaResults(model))),
    );
    if (state.usage.inputTokens + state.usage.outputTokens >= plan.limits.tokenBudget) break;
  }
  const spent = state.usage.inputTokens + state.usage.outputTokens;
  const message =
    budgetMessage ??
    (spent >= plan.limits.tokenBudget
      ? `tokenBudget (${plan.limits.tokenBudget}) spent after ${spent} tokens`
      : `${maxSteps} steps reached without a final answer`);
  return {
    status: state.toolCalls.some((call) => call.ok) ? 'PARTIAL_SUCCESS' : 'FAILURE',
    summary: finalAnswer(text),
    error: { code: 'BUDGET_EXCEEDED', message },
  };
}

function finalAnswer(text: string): string {
  return text.replace(/^[\s\S]*?FINAL ANSWER\s*:\s*/i, '').trim();
}
