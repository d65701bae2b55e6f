// Marks the stable prefix of each agent request for the provider's prompt cache (Anthropic's cache_control).
import type { ModelMessage, SystemModelMessage } from 'ai';

const CACHE_MARK = { anthropic: { cacheControl: { type: 'ephemeral' } } } as const;

/**
 * Anthropic caches only what a request marks: the system prompt (with the tool definitions before it), and
 * the last message, so the next turn — the same conversation plus the new run report, whose earlier turns
 * hold the tool docs read so far — reads everything before it from the cache. OpenAI caches prefixes itself.
 */
export function withPromptCacheMarks(
  provider: string,
  system: string,
  messages: readonly ModelMessage[],
): { system: string | SystemModelMessage; messages: ModelMessage[] } {
  if (!provider.startsWith('anthropic')) return { system, messages: [...messages] };
  const marked: ModelMessage[] = [];
  messages.forEach((message, index) => {
    marked.push(
      index === messages.length - 1 ? ({ ...message, providerOptions: CACHE_MARK } as ModelMessage) : message,
    );
  });
  return { system: { role: 'system', content: system, providerOptions: CACHE_MARK }, messages: marked };
}
