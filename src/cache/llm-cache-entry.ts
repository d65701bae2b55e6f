// The stored form of one model answer (a generate result or a completed stream), checked on every read.
import type {
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
  SharedV3ProviderMetadata,
  SharedV3Warning,
} from '@ai-sdk/provider';
import { z } from 'zod';
import { parseJsonWith } from '../contracts/index.js';
import { copySharedValue } from './shared-value.js';
import type { EntryReader } from './single-flight-cache.js';
import { restoreStorable, toStorable } from './storable-json.js';

export const LLM_ENTRY_FORMAT = 'roma-llm-cache/1';

/** Token counts of the original upstream call: what a hit saves. */
export const SavedUsageSchema = z
  .object({
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    cachedInputTokens: z.number().int().nonnegative().default(0),
    reasoningTokens: z.number().int().nonnegative().default(0),
  })
  .strict();
export type SavedUsage = z.output<typeof SavedUsageSchema>;

const PartSchema = z.looseObject({ type: z.string().min(1) });

const FinishReasonSchema = z.looseObject({
  unified: z.enum(['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other']),
  raw: z.string().optional(),
});

const UsageSchema = z.looseObject({
  inputTokens: z.looseObject({ total: z.number().optional() }),
  outputTokens: z.looseObject({ total: z.number().optional() }),
});

const ProviderMetadataSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

const CachedGenerateSchema = z
  .object({
    content: z.array(PartSchema),
    finishReason: FinishReasonSchema,
    usage: UsageSchema,
    providerMetadata: ProviderMetadataSchema.optional(),
    response: z
      .object({
        id: z.string().optional(),
        timestamp: z.unknown().optional(),
        modelId: z.string().optional(),
      })
      .strict()
      .optional(),
    warnings: z.array(PartSchema).default([]),
  })
  .strict();

const entryBase = {
  format: z.literal(LLM_ENTRY_FORMAT),
  provider: z.string().min(1),
  modelId: z.string().min(1),
  createdAt: z.string().min(1),
  usage: SavedUsageSchema,
};

const LlmCacheEntrySchema = z.discriminatedUnion('kind', [
  z.object({ ...entryBase, kind: z.literal('generate'), generate: CachedGenerateSchema }).strict(),
  z
    .object({ ...entryBase, kind: z.literal('stream'), parts: z.array(PartSchema).min(1) })
    .strict()
    .refine(
      (entry) => entry.parts.some((part) => part.type === 'finish'),
      'a stored stream ends with finish',
    ),
]);

/** A generate result as the cache keeps it (the parts of LanguageModelV3GenerateResult that describe the answer). */
export interface CachedGenerate {
  content: LanguageModelV3Content[];
  finishReason: LanguageModelV3FinishReason;
  usage: LanguageModelV3Usage;
  providerMetadata?: SharedV3ProviderMetadata;
  response?: { id?: string; timestamp?: Date; modelId?: string };
  warnings: SharedV3Warning[];
}

interface EntryHeader {
  format: typeof LLM_ENTRY_FORMAT;
  provider: string;
  modelId: string;
  createdAt: string;
  usage: SavedUsage;
}
export type LlmCacheEntry =
  | (EntryHeader & { kind: 'generate'; generate: CachedGenerate })
  | (EntryHeader & { kind: 'stream'; parts: LanguageModelV3StreamPart[] });

export function savedUsageOf(usage: LanguageModelV3Usage): SavedUsage {
  return {
    inputTokens: usage.inputTokens.total ?? 0,
    outputTokens: usage.outputTokens.total ?? 0,
    cachedInputTokens: usage.inputTokens.cacheRead ?? 0,
    reasoningTokens: usage.outputTokens.reasoning ?? 0,
  };
}

export function encodeLlmEntry(entry: LlmCacheEntry): string {
  return JSON.stringify(toStorable(entry));
}

type DecodeResult = { ok: true; entry: LlmCacheEntry } | { ok: false; problem: string };

/** Schema-checks stored text; anything else (truncated, foreign, old format) is reported, never returned. */
export function decodeLlmEntry(text: string): DecodeResult {
  const parsed = parseJsonWith(LlmCacheEntrySchema, text, 'cache entry');
  if (!parsed.ok) return { ok: false, problem: parsed.message };
  // The schema checked the shape the replay relies on; the tagged dates and bytes are restored here, in the
  // schema's output (fresh objects, or the parse's own for unknown members: nobody else holds them).
  return { ok: true, entry: restoreStorable(parsed.value) as LlmCacheEntry };
}

/** How the LLM cache reads its entries: schema-checked; a memory store's shared, decoded entry copied per hit. */
export const LLM_ENTRY_READER: EntryReader<LlmCacheEntry> = {
  decode(text) {
    const decoded = decodeLlmEntry(text);
    return decoded.ok ? { ok: true, value: decoded.entry } : decoded;
  },
  copy: copySharedValue,
};
