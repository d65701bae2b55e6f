// Reads an OpenAI or Anthropic request body into the text rules match against and the tool results it carries.
import type { ScriptedProvider, ScriptedToolResult } from './types.js';

interface RequestDigest {
  model: string;
  stream: boolean;
  text: string;
  toolResults: ScriptedToolResult[];
  toolNames: string[];
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

/** Text of a content field that is either a string or an array of typed parts. */
function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  const pieces: string[] = [];
  for (const part of asArray(content)) {
    if (!isObject(part)) continue;
    if (typeof part.text === 'string') pieces.push(part.text);
  }
  return pieces.join('\n');
}

export function digestRequest(provider: ScriptedProvider, body: JsonObject): RequestDigest {
  return provider === 'openai' ? digestOpenAi(body) : digestAnthropic(body);
}

function digestOpenAi(body: JsonObject): RequestDigest {
  const lines: string[] = [];
  const toolResults: ScriptedToolResult[] = [];
  const toolNameById = new Map<string, string>();
  for (const message of asArray(body.messages)) {
    if (!isObject(message)) continue;
    const text = partsText(message.content);
    if (text) lines.push(text);
    for (const call of asArray(message.tool_calls)) {
      if (!isObject(call) || !isObject(call.function)) continue;
      const name = asString(call.function.name);
      toolNameById.set(asString(call.id), name);
      lines.push(`${name}(${asString(call.function.arguments)})`);
    }
    if (message.role === 'tool') {
      const toolCallId = asString(message.tool_call_id);
      toolResults.push({ toolCallId, toolName: toolNameById.get(toolCallId), output: text });
    }
  }
  const toolNames = asArray(body.tools).flatMap((tool) =>
    isObject(tool) && isObject(tool.function) ? [asString(tool.function.name)] : [],
  );
  return {
    model: asString(body.model),
    stream: body.stream === true,
    text: lines.join('\n'),
    toolResults,
    toolNames,
  };
}

function digestAnthropic(body: JsonObject): RequestDigest {
  const lines: string[] = [];
  const toolResults: ScriptedToolResult[] = [];
  const toolNameById = new Map<string, string>();
  const system = partsText(body.system);
  if (system) lines.push(system);
  for (const message of asArray(body.messages)) {
    if (!isObject(message)) continue;
    if (typeof message.content === 'string') {
      lines.push(message.content);
      continue;
    }
    for (const block of asArray(message.content)) {
      if (!isObject(block)) continue;
      if (block.type === 'text' && typeof block.text === 'string') lines.push(block.text);
      else if (block.type === 'tool_use') {
        const name = asString(block.name);
        toolNameById.set(asString(block.id), name);
        lines.push(`${name}(${asString(block.input)})`);
      } else if (block.type === 'tool_result') {
        const toolCallId = asString(block.tool_use_id);
        const output = partsText(block.content);
        lines.push(output);
        toolResults.push({ toolCallId, toolName: toolNameById.get(toolCallId), output });
      }
    }
  }
  const toolNames = asArray(body.tools).flatMap((tool) =>
    isObject(tool) && typeof tool.name === 'string' ? [tool.name] : [],
  );
  return {
    model: asString(body.model),
    stream: body.stream === true,
    text: lines.join('\n'),
    toolResults,
    toolNames,
  };
}

/** True when the Anthropic client asked for structured output through its forced `json` tool. */
export function anthropicWantsJsonTool(body: JsonObject): boolean {
  return asArray(body.tools).some((tool) => isObject(tool) && tool.name === 'json');
}
