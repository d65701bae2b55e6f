// Where the ptc-tokens benchmark's context tokens go: each request split into its parts, and the prefix a
// provider's prompt cache could serve (shared with the conversation's previous request).
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { ScriptedRequest } from '../src/dev/scripted-model/index.js';
import { TOOLS_HEADING } from '../src/ptc/agent/prompt.js';

/** The parts of a code-mode request, in the order the brief of issue 14's follow-up names them. */
export const CODE_PARTS = [
  'systemPrompt',
  'toolListing',
  'task',
  'toolDocs',
  'program',
  'programOutput',
  'errorFeedback',
] as const;
export type CodePart = (typeof CODE_PARTS)[number];
export type CodeBreakdown = Record<CodePart, number>;

export const DIRECT_PARTS = ['definitions', 'toolResults', 'conversation'] as const;
export type DirectPart = (typeof DIRECT_PARTS)[number];
export type DirectBreakdown = Record<DirectPart, number>;

type Message = { role?: string; content?: unknown; tool_calls?: unknown[] };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part && typeof part === 'object' && 'text' in part ? String(part.text) : ''))
    .join('\n');
}

function messagesOf(request: ScriptedRequest): Message[] {
  return ((request.body.messages as Message[] | undefined) ?? []).filter(
    (message) => message && typeof message === 'object',
  );
}

export function emptyCodeBreakdown(): CodeBreakdown {
  return Object.fromEntries(CODE_PARTS.map((part) => [part, 0])) as CodeBreakdown;
}

/** One code-mode request (OpenAI chat body) split into its parts, each counted with o200k_base. */
export function codeBreakdown(request: ScriptedRequest): CodeBreakdown {
  const parts = emptyCodeBreakdown();
  let previousProgram = '';
  let seenTask = false;
  for (const message of messagesOf(request)) {
    const text = textOf(message.content);
    if (message.role === 'system') {
      const cut = text.indexOf(TOOLS_HEADING);
      parts.systemPrompt += countTokens(cut < 0 ? text : text.slice(0, cut));
      if (cut >= 0) parts.toolListing += countTokens(text.slice(cut));
    } else if (message.role === 'assistant') {
      parts.program += countTokens(text);
      previousProgram = text;
    } else if (!seenTask) {
      parts.task += countTokens(text);
      seenTask = true;
    } else if (!/^Run \d+: exit code 0\b/.test(text)) {
      parts.errorFeedback += countTokens(text);
    } else if (previousProgram.includes('readToolDoc(')) {
      parts.toolDocs += countTokens(text);
    } else {
      parts.programOutput += countTokens(text);
    }
  }
  return parts;
}

/** One direct-mode request split into the tool definitions, the tool results and the rest of the conversation. */
export function directBreakdown(request: ScriptedRequest): DirectBreakdown {
  const tools = (request.body.tools as unknown[] | undefined) ?? [];
  const parts: DirectBreakdown = {
    definitions: countTokens(tools.map((tool) => JSON.stringify(tool)).join('\n')),
    toolResults: 0,
    conversation: 0,
  };
  for (const message of messagesOf(request)) {
    const text = textOf(message.content);
    const calls = (message.tool_calls ?? []).map((call) => JSON.stringify(call)).join('\n');
    if (message.role === 'tool') parts.toolResults += countTokens(text);
    else parts.conversation += countTokens(`${text}${calls ? `\n${calls}` : ''}`);
  }
  return parts;
}

/** What a provider's prompt cache sees: tool definitions first, then the conversation. */
function prefixText(request: ScriptedRequest): string {
  const tools = (request.body.tools as unknown[] | undefined) ?? [];
  return `${tools.map((tool) => JSON.stringify(tool)).join('\n')}\n${request.text}`;
}

/**
 * Tokens of each request's prefix shared with the previous request of the same conversation: what a prompt
 * cache could serve. Still context tokens — reported beside the headline, never subtracted from it.
 */
export function cacheablePrefixTokens(requests: readonly ScriptedRequest[]): number[] {
  return requests.map((request, index) => {
    if (index === 0) return 0;
    const previous = prefixText(requests[index - 1]!);
    const current = prefixText(request);
    let shared = 0;
    const bound = Math.min(previous.length, current.length);
    while (shared < bound && previous.charCodeAt(shared) === current.charCodeAt(shared)) shared += 1;
    return countTokens(current.slice(0, shared));
  });
}
