// The OpenAI chat-completions and Anthropic messages wire formats: JSON bodies, SSE event sequences, errors.
import { type Completion, splitIntoChunks } from './completion.js';
import type { ScriptedProvider } from './types.js';

export interface SseEvent {
  /** Anthropic names its events; OpenAI sends data lines only. */
  event?: string;
  data: unknown;
}

interface WireContext {
  requestIndex: number;
  model: string;
  /** OpenAI: whether `stream_options.include_usage` asked for the trailing usage chunk. */
  includeUsage: boolean;
}

const createdSeconds = (): number => Math.floor(Date.now() / 1000);

export function errorBody(provider: ScriptedProvider, status: number, message: string): unknown {
  if (provider === 'openai') return { error: { message, type: 'scripted_error', code: String(status) } };
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  return { type: 'error', error: { type, message } };
}

// ---- OpenAI chat completions ----

function openAiFinishReason(completion: Completion): string {
  return completion.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

function openAiUsage(completion: Completion): Record<string, unknown> {
  return {
    prompt_tokens: completion.inputTokens,
    completion_tokens: completion.outputTokens,
    total_tokens: completion.inputTokens + completion.outputTokens,
    prompt_tokens_details: { cached_tokens: completion.cachedInputTokens },
  };
}

export function openAiResponse(completion: Completion, context: WireContext): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: completion.text ?? null };
  if (completion.toolCalls.length > 0) {
    message.tool_calls = completion.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.argumentsJson },
    }));
  }
  return {
    id: `chatcmpl-scripted-${context.requestIndex}`,
    object: 'chat.completion',
    created: createdSeconds(),
    model: context.model,
    choices: [{ index: 0, message, finish_reason: openAiFinishReason(completion) }],
    usage: openAiUsage(completion),
  };
}

export function openAiStream(completion: Completion, context: WireContext): SseEvent[] {
  const base = {
    id: `chatcmpl-scripted-${context.requestIndex}`,
    object: 'chat.completion.chunk',
    created: createdSeconds(),
    model: context.model,
  };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): SseEvent => ({
    data: { ...base, choices: [{ index: 0, delta, finish_reason: finishReason }] },
  });
  const events: SseEvent[] = [chunk({ role: 'assistant', content: '' })];
  if (completion.text) {
    for (const piece of splitIntoChunks(completion.text)) events.push(chunk({ content: piece }));
  }
  completion.toolCalls.forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    for (const piece of splitJson(call.argumentsJson)) {
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  events.push(chunk({}, openAiFinishReason(completion)));
  if (context.includeUsage) events.push({ data: { ...base, choices: [], usage: openAiUsage(completion) } });
  events.push({ data: '[DONE]' });
  return events;
}

// ---- Anthropic messages ----

function anthropicStopReason(completion: Completion): string {
  return completion.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}

function anthropicUsage(completion: Completion): Record<string, number> {
  // Anthropic counts cache reads apart from `input_tokens`; the SDK adds them back up.
  return {
    input_tokens: Math.max(0, completion.inputTokens - completion.cachedInputTokens),
    output_tokens: completion.outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: completion.cachedInputTokens,
  };
}

function parseArguments(argumentsJson: string): unknown {
  // Our own JSON.stringify output, so it always parses.
  return JSON.parse(argumentsJson) as unknown;
}

export function anthropicResponse(completion: Completion, context: WireContext): unknown {
  const content: unknown[] = [];
  if (completion.text !== undefined || completion.toolCalls.length === 0) {
    content.push({ type: 'text', text: completion.text ?? '' });
  }
  for (const call of completion.toolCalls) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.name,
      input: parseArguments(call.argumentsJson),
    });
  }
  return {
    id: `msg_scripted_${context.requestIndex}`,
    type: 'message',
    role: 'assistant',
    model: context.model,
    content,
    stop_reason: anthropicStopReason(completion),
    stop_sequence: null,
    usage: anthropicUsage(completion),
  };
}

export function anthropicStream(completion: Completion, context: WireContext): SseEvent[] {
  const usage = anthropicUsage(completion);
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: `msg_scripted_${context.requestIndex}`,
          type: 'message',
          role: 'assistant',
          model: context.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      },
    },
  ];
  let index = 0;
  const block = (type: string, data: Record<string, unknown>): SseEvent => ({
    event: type,
    data: { type, index, ...data },
  });
  if (completion.text !== undefined || completion.toolCalls.length === 0) {
    events.push(block('content_block_start', { content_block: { type: 'text', text: '' } }));
    for (const piece of splitIntoChunks(completion.text ?? '')) {
      events.push(block('content_block_delta', { delta: { type: 'text_delta', text: piece } }));
    }
    events.push(block('content_block_stop', {}));
    index += 1;
  }
  for (const call of completion.toolCalls) {
    events.push(
      block('content_block_start', {
        content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      }),
    );
    for (const piece of splitJson(call.argumentsJson)) {
      events.push(block('content_block_delta', { delta: { type: 'input_json_delta', partial_json: piece } }));
    }
    events.push(block('content_block_stop', {}));
    index += 1;
  }
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: anthropicStopReason(completion), stop_sequence: null },
      usage: { output_tokens: completion.outputTokens },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

/** Cuts a JSON text into a few pieces, as providers stream tool arguments. */
function splitJson(json: string): string[] {
  const size = Math.max(8, Math.ceil(json.length / 4));
  const pieces: string[] = [];
  for (let start = 0; start < json.length; start += size) pieces.push(json.slice(start, start + size));
  return pieces;
}

export function formatSse(event: SseEvent): string {
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  return `${event.event ? `event: ${event.event}\n` : ''}data: ${data}\n\n`;
}
