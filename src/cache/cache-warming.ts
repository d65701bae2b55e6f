// Cache warming: pre-load answers from a JSONL file of request/response pairs or from a stored run's entries.
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
} from '@ai-sdk/provider';
import { generateText, jsonSchema, type ModelMessage, Output } from 'ai';
import { z } from 'zod';
import { parseJsonWith, RomaError } from '../contracts/index.js';
import { parseModelId } from '../llm/index.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { ExecutionStore } from '../store/execution-store.js';
import { type CachePolicyConfig, DEFAULT_CACHE_POLICY, decideCachePolicy } from './cache-policy.js';
import { decodeLlmEntry, encodeLlmEntry, LLM_ENTRY_FORMAT, savedUsageOf } from './llm-cache-entry.js';
import { LLM_CACHE_VERSION, LLM_NAMESPACE, llmCacheKey } from './llm-cache-key.js';
import { type LlmCache, llmStatsGroup } from './llm-cache-middleware.js';
import { RUN_CACHE_ARTIFACT_NAME } from './run-cache-recorder.js';

const FINISH_REASONS = ['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other'] as const;

/** A hand-written request/response pair: the request as `callText`/`generateText` would be given it. */
const WarmPairLineSchema = z
  .object({
    type: z.literal('pair'),
    /** `openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`: as in `llm.model`. */
    model: z.string().min(1),
    request: z
      .object({
        system: z.string().optional(),
        prompt: z.string().optional(),
        messages: z
          .array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() }).strict())
          .min(1)
          .optional(),
        temperature: z.number().min(0).max(2).optional(),
        topP: z.number().optional(),
        topK: z.number().optional(),
        maxOutputTokens: z.number().int().positive().optional(),
        seed: z.number().int().optional(),
        stopSequences: z.array(z.string()).optional(),
        presencePenalty: z.number().optional(),
        frequencyPenalty: z.number().optional(),
        /** JSON Schema of a structured answer (`callObject`), exactly as the SDK sends it. */
        schema: z.record(z.string(), z.unknown()).optional(),
        schemaName: z.string().optional(),
        schemaDescription: z.string().optional(),
      })
      .strict()
      .refine((request) => (request.prompt === undefined) !== (request.messages === undefined), {
        message: 'give either prompt or messages',
      }),
    response: z
      .object({
        text: z.string().optional(),
        /** A structured answer; requires `request.schema`. */
        json: z.unknown().optional(),
        usage: z
          .object({
            inputTokens: z.number().int().nonnegative(),
            outputTokens: z.number().int().nonnegative(),
          })
          .strict()
          .optional(),
        finishReason: z.enum(FINISH_REASONS).default('stop'),
      })
      .strict()
      .refine((response) => (response.text === undefined) !== (response.json === undefined), {
        message: 'give either text or json',
      }),
    /** Default: the cache's TTL for the request (deterministic or not). */
    ttlSeconds: z.number().int().positive().optional(),
  })
  .strict();
type WarmPairLine = z.output<typeof WarmPairLineSchema>;

/** An exact stored entry, as a run recorder writes it (the artifact `llm-cache.jsonl` of a run). */
const WarmEntryLineSchema = z
  .object({
    type: z.literal('entry'),
    key: z.string().regex(/^llm:v\d+:/, 'must be an llm:v<n>: cache key'),
    ttlSeconds: z.number().int().positive().optional(),
    /** An encoded LlmCacheEntry (`format: roma-llm-cache/1`). */
    entry: z.unknown(),
  })
  .strict();
type WarmEntryLine = z.output<typeof WarmEntryLineSchema>;

const CacheWarmLineSchema = z.discriminatedUnion('type', [WarmPairLineSchema, WarmEntryLineSchema]);

export interface WarmProblem {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

export interface WarmReport {
  lines: number;
  stored: number;
  skipped: number;
  problems: WarmProblem[];
}

export interface WarmOptions {
  /** TTLs for pairs without `ttlSeconds` (the cache config's policy). */
  policy?: Partial<CachePolicyConfig>;
  /** Bound on the lines read; more is an error. */
  maxLines?: number;
  signal?: AbortSignal;
}

/** The AI SDK provider name the model registry gives a model id (chat API for every OpenAI-compatible one). */
function sdkProviderOf(modelId: string): { provider: string; modelName: string } {
  const parsed = parseModelId(modelId, 'model');
  return {
    provider: parsed.provider === 'anthropic' ? 'anthropic.messages' : 'openai.chat',
    modelName: parsed.modelName,
  };
}

/** A model that answers from the pair and hands over the exact call options the SDK built. */
function captureModel(
  provider: string,
  modelName: string,
  reply: LanguageModelV3GenerateResult,
  onCall: (params: LanguageModelV3CallOptions) => void,
): LanguageModelV3 {
  return {
    specificationVersion: 'v3',
    provider,
    modelId: modelName,
    supportedUrls: {},
    async doGenerate(params) {
      onCall(params);
      return reply;
    },
    async doStream() {
      throw new RomaError('INTERNAL', 'cache warming never streams');
    },
  };
}

async function warmPair(cache: LlmCache, line: WarmPairLine, options: WarmOptions): Promise<boolean> {
  const { provider, modelName } = sdkProviderOf(line.model);
  const { request, response } = line;
  if (response.json !== undefined && request.schema === undefined) {
    throw new RomaError('VALIDATION_FAILED', 'response.json needs request.schema', {
      field: 'request.schema',
    });
  }
  const usage = {
    inputTokens: {
      total: response.usage?.inputTokens ?? 0,
      noCache: undefined,
      cacheRead: undefined,
      cacheWrite: undefined,
    },
    outputTokens: { total: response.usage?.outputTokens ?? 0, text: undefined, reasoning: undefined },
  };
  const reply: LanguageModelV3GenerateResult = {
    content: [{ type: 'text', text: response.text ?? JSON.stringify(response.json) }],
    finishReason: { unified: response.finishReason, raw: response.finishReason },
    usage,
    warnings: [],
  };
  let captured: LanguageModelV3CallOptions | undefined;
  const model = captureModel(provider, modelName, reply, (params) => {
    captured = params;
  });
  const prompt =
    request.messages !== undefined
      ? { messages: request.messages as ModelMessage[] }
      : { prompt: request.prompt ?? '' };
  await generateText({
    model,
    ...(request.system === undefined ? {} : { system: request.system }),
    ...prompt,
    temperature: request.temperature,
    topP: request.topP,
    topK: request.topK,
    maxOutputTokens: request.maxOutputTokens,
    seed: request.seed,
    stopSequences: request.stopSequences,
    presencePenalty: request.presencePenalty,
    frequencyPenalty: request.frequencyPenalty,
    maxRetries: 0,
    ...(options.signal ? { abortSignal: options.signal } : {}),
    ...(request.schema
      ? {
          output: Output.object({
            schema: jsonSchema(request.schema),
            ...(request.schemaName === undefined ? {} : { name: request.schemaName }),
            ...(request.schemaDescription === undefined ? {} : { description: request.schemaDescription }),
          }),
        }
      : {}),
  });
  if (captured === undefined) throw new RomaError('INTERNAL', 'the request never reached the model');
  const key = llmCacheKey(provider, modelName, captured).key;
  const policy = { ...DEFAULT_CACHE_POLICY, ...options.policy };
  const ttlMs =
    line.ttlSeconds !== undefined
      ? line.ttlSeconds * 1000
      : decideCachePolicy(policy, { cacheStrategy: 'ALWAYS' }, captured).ttlMs;
  const text = encodeLlmEntry({
    format: LLM_ENTRY_FORMAT,
    kind: 'generate',
    provider,
    modelId: modelName,
    createdAt: new Date().toISOString(),
    usage: savedUsageOf(usage),
    generate: { content: reply.content, finishReason: reply.finishReason, usage, warnings: [] },
  });
  return cache.flights.put(key, llmStatsGroup({ provider, modelId: modelName }), text, ttlMs);
}

async function warmEntry(cache: LlmCache, line: WarmEntryLine, options: WarmOptions): Promise<boolean> {
  if (!line.key.startsWith(`${LLM_NAMESPACE}:${LLM_CACHE_VERSION}:`)) {
    throw new RomaError('VALIDATION_FAILED', `key is of another cache version than ${LLM_CACHE_VERSION}`, {
      field: 'key',
    });
  }
  const text = JSON.stringify(line.entry);
  const decoded = decodeLlmEntry(text);
  if (!decoded.ok) throw new RomaError('VALIDATION_FAILED', decoded.problem, { field: 'entry' });
  const { provider, modelId } = decoded.entry;
  const ttlMs = (line.ttlSeconds ?? options.policy?.ttlSeconds ?? DEFAULT_CACHE_POLICY.ttlSeconds) * 1000;
  return cache.flights.put(line.key, llmStatsGroup({ provider, modelId }), text, ttlMs);
}

/** Loads every valid line; a bad line is reported with its number and skipped, the others still load. */
export async function warmCacheFromJsonl(
  cache: LlmCache,
  text: string,
  options: WarmOptions = {},
): Promise<WarmReport> {
  const maxLines = options.maxLines ?? 1_000_000;
  const rows = text.split(/\r?\n/);
  const report: WarmReport = { lines: 0, stored: 0, skipped: 0, problems: [] };
  for (const [index, raw] of rows.entries()) {
    if (raw.trim() === '') continue;
    report.lines += 1;
    if (report.lines > maxLines) {
      throw new RomaError('VALIDATION_FAILED', `more than ${maxLines} lines to warm`, { field: 'file' });
    }
    if (options.signal?.aborted) throw new RomaError('CANCELLED', 'cache warming cancelled');
    const parsed = parseJsonWith(CacheWarmLineSchema, raw, `line ${index + 1}`);
    if (!parsed.ok) {
      report.skipped += 1;
      report.problems.push({ line: index + 1, message: parsed.message });
      continue;
    }
    try {
      const stored =
        parsed.value.type === 'pair'
          ? await warmPair(cache, parsed.value, options)
          : await warmEntry(cache, parsed.value, options);
      if (stored) report.stored += 1;
      else {
        report.skipped += 1;
        report.problems.push({
          line: index + 1,
          message: 'not stored (over maxEntryBytes, or the store failed)',
        });
      }
    } catch (error) {
      report.skipped += 1;
      const field = error instanceof RomaError && error.field ? `${error.field}: ` : '';
      report.problems.push({ line: index + 1, message: `${field}${(error as Error).message}` });
    }
  }
  await cache.flush();
  return report;
}

interface RunSources {
  executionStore: ExecutionStore;
  artifactStore: ArtifactStore;
}

const EVENTS_PAGE = 1_000;
const MAX_EVENT_PAGES = 10_000;

/** Warms from the `llm-cache.jsonl` artifacts a run recorded (see docs/CACHE.md, "Warming from a run"). */
export async function warmCacheFromRun(
  cache: LlmCache,
  sources: RunSources,
  executionId: string,
  options: WarmOptions = {},
): Promise<WarmReport> {
  const execution = await sources.executionStore.getExecution(executionId);
  if (execution === null) {
    throw new RomaError('NOT_FOUND', `no run with id ${executionId}`, {
      field: 'executionId',
      fix: 'list runs with `roma runs list`',
    });
  }
  const uris: string[] = [];
  let afterSeq = 0;
  for (let page = 0; page < MAX_EVENT_PAGES; page += 1) {
    const events = await sources.executionStore.readEvents(executionId, { afterSeq, limit: EVENTS_PAGE });
    for (const event of events) {
      if (event.type === 'artifact-created' && event.artifact.name === RUN_CACHE_ARTIFACT_NAME) {
        uris.push(event.artifact.uri);
      }
    }
    const last = events.at(-1);
    if (last === undefined || events.length < EVENTS_PAGE) break;
    afterSeq = last.seq;
  }
  if (uris.length === 0) {
    throw new RomaError('NOT_FOUND', `run ${executionId} recorded no cache entries`, {
      field: 'executionId',
      fix: `runs record them as the artifact ${RUN_CACHE_ARTIFACT_NAME} when the cache is enabled (docs/CACHE.md)`,
    });
  }
  const total: WarmReport = { lines: 0, stored: 0, skipped: 0, problems: [] };
  for (const uri of uris) {
    const bytes = await sources.artifactStore.get(uri);
    const report = await warmCacheFromJsonl(cache, Buffer.from(bytes).toString('utf8'), options);
    total.lines += report.lines;
    total.stored += report.stored;
    total.skipped += report.skipped;
    total.problems.push(...report.problems);
  }
  return total;
}
