// Turns stored answers back into model results: a generate result or a replayed stream, marked as a hit.
import type {
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
  SharedV3ProviderMetadata,
} from '@ai-sdk/provider';
import type { CachedGenerate, LlmCacheEntry, SavedUsage } from './llm-cache-entry.js';

/** What `providerMetadata.roma` holds on a hit (the generate result, and the `finish` stream part). */
export interface CacheHitMetadata {
  cacheHit: true;
  /** Store key of the entry (without the store prefix). */
  cacheKey: string;
  cachedAt: string;
  /** Token counts of the original call: the tokens this hit saved. */
  savedUsage: SavedUsage;
  /** Cost of the original call by the price table, when the cache was given one. */
  savedCostUsd?: number;
}

/** A hit costs nothing: usage is zero, the original counts travel in `providerMetadata.roma.savedUsage`. */
export function zeroUsage(): LanguageModelV3Usage {
  return {
    inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 0, text: 0, reasoning: 0 },
  };
}

function withHit(
  metadata: SharedV3ProviderMetadata | undefined,
  hit: CacheHitMetadata,
): SharedV3ProviderMetadata {
  const roma: Record<string, number | boolean | string | Record<string, number>> = {
    ...metadata?.roma,
    cacheHit: true,
    cacheKey: hit.cacheKey,
    cachedAt: hit.cachedAt,
    savedUsage: { ...hit.savedUsage },
  };
  if (hit.savedCostUsd !== undefined) roma.savedCostUsd = hit.savedCostUsd;
  return { ...metadata, roma };
}

/** Rebuilds the answer of a completed stream as a generate result. */
export function generateFromParts(parts: readonly LanguageModelV3StreamPart[]): CachedGenerate {
  const content: LanguageModelV3Content[] = [];
  const open = new Map<string, { text: string }>();
  const result: CachedGenerate = {
    content,
    finishReason: { unified: 'other', raw: undefined },
    usage: zeroUsage(),
    warnings: [],
  };
  for (const part of parts) {
    switch (part.type) {
      case 'text-start':
      case 'reasoning-start': {
        const item = {
          type: part.type === 'text-start' ? ('text' as const) : ('reasoning' as const),
          text: '',
          ...(part.providerMetadata ? { providerMetadata: part.providerMetadata } : {}),
        };
        content.push(item);
        open.set(`${item.type}:${part.id}`, item);
        break;
      }
      case 'text-delta':
      case 'reasoning-delta': {
        const item = open.get(`${part.type === 'text-delta' ? 'text' : 'reasoning'}:${part.id}`);
        if (item) item.text += part.delta;
        break;
      }
      case 'tool-call':
      case 'tool-result':
      case 'tool-approval-request':
      case 'file':
      case 'source':
        content.push(part);
        break;
      case 'stream-start':
        result.warnings = part.warnings;
        break;
      case 'response-metadata': {
        const { type: _type, ...response } = part;
        result.response = response;
        break;
      }
      case 'finish':
        result.finishReason = part.finishReason;
        result.usage = part.usage;
        if (part.providerMetadata) result.providerMetadata = part.providerMetadata;
        break;
      default:
        // tool-input-* repeat what the tool-call part holds whole; text/reasoning ends close nothing new.
        break;
    }
  }
  return result;
}

/** The stream a provider could have sent for a generate result. */
export function partsFromGenerate(result: CachedGenerate): LanguageModelV3StreamPart[] {
  const parts: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: result.warnings }];
  if (result.response) parts.push({ type: 'response-metadata', ...result.response });
  result.content.forEach((item, index) => {
    const id = String(index);
    if (item.type === 'text' || item.type === 'reasoning') {
      const metadata = item.providerMetadata ? { providerMetadata: item.providerMetadata } : {};
      const kind = item.type;
      parts.push({ type: `${kind}-start`, id, ...metadata });
      if (item.text.length > 0) parts.push({ type: `${kind}-delta`, id, delta: item.text });
      parts.push({ type: `${kind}-end`, id, ...metadata });
    } else {
      parts.push(item);
    }
  });
  parts.push({
    type: 'finish',
    finishReason: result.finishReason,
    usage: result.usage,
    ...(result.providerMetadata ? { providerMetadata: result.providerMetadata } : {}),
  });
  return parts;
}

export function generateResultFromEntry(
  entry: LlmCacheEntry,
  hit: CacheHitMetadata,
): LanguageModelV3GenerateResult {
  const stored = entry.kind === 'generate' ? entry.generate : generateFromParts(entry.parts);
  return {
    content: stored.content,
    finishReason: stored.finishReason,
    usage: zeroUsage(),
    providerMetadata: withHit(stored.providerMetadata, hit),
    ...(stored.response ? { response: stored.response } : {}),
    warnings: stored.warnings,
  };
}

/** Replays the stored parts at once; the `finish` part carries zero usage and the hit metadata. */
export function streamResultFromEntry(
  entry: LlmCacheEntry,
  hit: CacheHitMetadata,
): LanguageModelV3StreamResult {
  const parts = entry.kind === 'stream' ? entry.parts : partsFromGenerate(entry.generate);
  let index = 0;
  const stream = new ReadableStream<LanguageModelV3StreamPart>({
    pull(controller) {
      const part = parts[index];
      index += 1;
      if (part === undefined) {
        controller.close();
        return;
      }
      if (part.type === 'finish') {
        controller.enqueue({
          ...part,
          usage: zeroUsage(),
          providerMetadata: withHit(part.providerMetadata, hit),
        });
      } else {
        controller.enqueue(part);
      }
    },
  });
  return { stream };
}
