// A server's `sampling/createMessage` params as roma answers them (text only, reply capped), or the refusal reason.
import type { CreateMessageRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpSamplingConfig } from '../../config/sections/ptc.js';
import type { SamplingRequest } from './types.js';

/** Bound on the text one request may send to the model (a hostile server could send megabytes). */
const MAX_REQUEST_CHARS = 200_000;
const MAX_MESSAGES = 100;

export type SamplingParse = { ok: true; request: SamplingRequest } | { ok: false; reason: string };

export function toSamplingRequest(
  server: string,
  params: CreateMessageRequest['params'],
  policy: McpSamplingConfig,
): SamplingParse {
  if (params.tools !== undefined || params.toolChoice !== undefined) {
    return {
      ok: false,
      reason: 'sampling with tools is not supported (the client does not declare sampling.tools)',
    };
  }
  if (params.messages.length === 0 || params.messages.length > MAX_MESSAGES) {
    return { ok: false, reason: `a sampling request needs 1 to ${MAX_MESSAGES} messages` };
  }
  const messages: SamplingRequest['messages'] = [];
  let chars = params.systemPrompt?.length ?? 0;
  for (const message of params.messages) {
    const blocks = Array.isArray(message.content) ? message.content : [message.content];
    const texts: string[] = [];
    for (const block of blocks) {
      if (block.type !== 'text') {
        return {
          ok: false,
          reason: `only text sampling is supported (a message holds ${block.type} content)`,
        };
      }
      texts.push(block.text);
    }
    const text = texts.join('\n');
    chars += text.length;
    messages.push({ role: message.role, text });
  }
  if (chars > MAX_REQUEST_CHARS) {
    return {
      ok: false,
      reason: `the sampling request is ${chars} characters, over the ${MAX_REQUEST_CHARS} allowed`,
    };
  }
  return {
    ok: true,
    request: {
      server,
      ...(params.systemPrompt ? { systemPrompt: params.systemPrompt } : {}),
      messages,
      maxOutputTokens: Math.max(1, Math.min(params.maxTokens, policy.maxOutputTokens)),
    },
  };
}
