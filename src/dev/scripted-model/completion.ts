// Turns a scripted reply into one provider-neutral completion: text, tool calls and usage figures.
import type { ScriptedReply, ScriptedRequest } from './types.js';

export interface CompletionToolCall {
  id: string;
  name: string;
  argumentsJson: string;
}

export interface Completion {
  text: string | undefined;
  toolCalls: CompletionToolCall[];
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

export function tokensOf(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}

/**
 * `jsonAsToolCall`: the Anthropic client asked for structured output through a forced `json` tool, so a
 * `json` reply becomes that tool's input instead of text.
 */
export function buildCompletion(
  reply: ScriptedReply,
  request: ScriptedRequest,
  options: { jsonAsToolCall: boolean; idPrefix: string; promptCacheTokens?: number },
): Completion {
  const toolCalls: CompletionToolCall[] = (reply.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `${options.idPrefix}${request.index}_${index}`,
    name: call.name,
    argumentsJson: JSON.stringify(call.args ?? {}),
  }));
  let text = reply.text;
  if (reply.json !== undefined) {
    if (options.jsonAsToolCall) {
      toolCalls.push({
        id: `${options.idPrefix}${request.index}_json`,
        name: 'json',
        argumentsJson: JSON.stringify(reply.json),
      });
    } else {
      text = JSON.stringify(reply.json);
    }
  }
  const outputCharacters =
    (text?.length ?? 0) +
    toolCalls.reduce((sum, call) => sum + call.name.length + call.argumentsJson.length, 0);
  const inputTokens = reply.usage?.inputTokens ?? tokensOf(request.text.length);
  return {
    text,
    toolCalls,
    inputTokens,
    outputTokens: reply.usage?.outputTokens ?? tokensOf(outputCharacters),
    // What the request's cache marks read from the modelled prompt cache, unless the rule says otherwise.
    cachedInputTokens:
      reply.usage?.cachedInputTokens ?? Math.min(inputTokens, options.promptCacheTokens ?? 0),
  };
}

/** Splits text into word-sized pieces so a streamed reply arrives as several deltas. */
export function splitIntoChunks(text: string): string[] {
  const pieces = text.match(/\S*\s*/g)?.filter((piece) => piece.length > 0) ?? [];
  return pieces.length > 0 ? pieces : [text];
}
