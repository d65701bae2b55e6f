// Cache benchmark: the whole hit (key + read) on Redis against a raw ioredis GET and on memory; single-flight fan-in.
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { generateText } from 'ai';
import { Redis } from 'ioredis';
import {
  type CacheStore,
  createLlmCache,
  encodeLlmEntry,
  LLM_ENTRY_FORMAT,
  LLM_ENTRY_READER,
  type LlmCacheEntry,
  llmCacheKey,
  MemoryCacheStore,
  RedisCacheStore,
} from '../src/cache/index.js';
import { startScriptedModelServer } from '../src/dev/scripted-model/index.js';
import { quick, sized } from './support-quick.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? sized(5_000, 300));
const WARMUP = sized(500, 50);
const quiet = { warn: () => {}, info: () => {} };

function percentile(sortedNs: readonly bigint[], fraction: number): number {
  const index = Math.min(sortedNs.length - 1, Math.floor(sortedNs.length * fraction));
  return Number(sortedNs[index] ?? 0n) / 1_000;
}

type Summary = { p50Us: number; p99Us: number };

function summary(samplesNs: bigint[]): Summary {
  const sorted = [...samplesNs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { p50Us: percentile(sorted, 0.5), p99Us: percentile(sorted, 0.99) };
}

/** A typical stored answer: a planner's JSON plan of ~2 KB with its usage. */
function sampleEntryText(): string {
  const plan = {
    subtasks: Array.from({ length: 6 }, (_, index) => ({
      id: `t${index}`,
      goal: `Research part ${index} of the question and summarise the findings in three sentences.`,
      taskType: index % 2 === 0 ? 'RETRIEVE' : 'THINK',
      dependencies: index > 0 ? [`t${index - 1}`] : [],
    })),
  };
  const entry: LlmCacheEntry = {
    format: LLM_ENTRY_FORMAT,
    kind: 'generate',
    provider: 'openai.chat',
    modelId: 'gpt-4o-mini',
    createdAt: new Date().toISOString(),
    usage: { inputTokens: 1_200, outputTokens: 450, cachedInputTokens: 0, reasoningTokens: 0 },
    generate: {
      content: [{ type: 'text', text: JSON.stringify(plan) }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: 1_200, noCache: 1_200, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 450, text: 450, reasoning: 0 },
      },
      response: { id: 'chatcmpl-bench', timestamp: new Date(), modelId: 'gpt-4o-mini' },
      warnings: [],
    },
  };
  return encodeLlmEntry(entry);
}

type Flights = ReturnType<typeof createLlmCache>['flights'];

/**
 * A hit read as the middleware reads it (`SingleFlightCache.find` with the LLM entry reader): from Redis, `get`
 * and the schema-checked decode; from memory, the entry decoded when it was stored, copied for this caller.
 */
async function lookupHit(flights: Flights, key: string): Promise<void> {
  const found = await flights.find({ key, group: 'llm:bench', ...LLM_ENTRY_READER });
  if (found.kind !== 'hit') throw new Error('benchmark entry missing or unreadable');
}

/** Stores the entry as the middleware does (a memory store decodes and checks it on the way in). */
function storeEntry(store: CacheStore, key: string, text: string) {
  return store.set(key, text, { decode: LLM_ENTRY_READER.decode });
}

async function redisLatency(entryText: string) {
  const prefix = `roma-bench:${randomUUID()}:`;
  const key = 'llm:v2:openai.chat:gpt-4o-mini:bench';
  const store = new RedisCacheStore({ url: REDIS_URL, keyPrefix: prefix, logger: quiet });
  const raw = new Redis(REDIS_URL);
  const { flights } = createLlmCache({ store, logger: quiet });
  try {
    if (!(await store.connect())) throw new Error(`Redis at ${REDIS_URL} is not reachable`);
    await storeEntry(store, key, entryText);
    const rawSamples: bigint[] = [];
    const storeSamples: bigint[] = [];
    const lookupSamples: bigint[] = [];
    // Interleaved, so drift of the machine hits all three alike.
    for (let index = 0; index < WARMUP + ITERATIONS; index += 1) {
      let start = process.hrtime.bigint();
      await raw.get(prefix + key);
      const rawNs = process.hrtime.bigint() - start;
      start = process.hrtime.bigint();
      await store.get(key);
      const storeNs = process.hrtime.bigint() - start;
      start = process.hrtime.bigint();
      await lookupHit(flights, key);
      const lookupNs = process.hrtime.bigint() - start;
      if (index < WARMUP) continue;
      rawSamples.push(rawNs);
      storeSamples.push(storeNs);
      lookupSamples.push(lookupNs);
    }
    return { raw: summary(rawSamples), store: summary(storeSamples), lookup: summary(lookupSamples) };
  } finally {
    await store.clear('');
    await store.close();
    raw.disconnect();
  }
}

async function memoryLatency(entryText: string) {
  const store = new MemoryCacheStore();
  const { flights } = createLlmCache({ store, logger: quiet });
  const key = 'llm:v2:openai.chat:gpt-4o-mini:bench';
  for (let index = 0; index < 1_000; index += 1) storeEntry(store, `filler:${index}`, entryText);
  storeEntry(store, key, entryText);
  const getSamples: bigint[] = [];
  const lookupSamples: bigint[] = [];
  for (let index = 0; index < WARMUP + ITERATIONS; index += 1) {
    let start = process.hrtime.bigint();
    store.get(key);
    const getNs = process.hrtime.bigint() - start;
    start = process.hrtime.bigint();
    await lookupHit(flights, key);
    const lookupNs = process.hrtime.bigint() - start;
    if (index < WARMUP) continue;
    getSamples.push(getNs);
    lookupSamples.push(lookupNs);
  }
  return {
    get: summary(getSamples),
    lookup: summary(lookupSamples),
  };
}

/** A conversation of about `bytes` bytes: a system prompt and user/assistant turns of ~2 KB each. */
function callOfSize(bytes: number): LanguageModelV3CallOptions {
  const turn = 'The tool returned rows of orders; summarise the totals by region and status. '.repeat(26);
  const prompt: LanguageModelV3CallOptions['prompt'] = [{ role: 'system', content: 'ROMA executor.' }];
  let size = 0;
  for (let index = 0; size < bytes; index += 1) {
    const text = `${index}: ${turn}`.slice(0, Math.max(1, bytes - size));
    prompt.push(
      index % 2 === 0
        ? { role: 'user', content: [{ type: 'text', text }] }
        : { role: 'assistant', content: [{ type: 'text', text }] },
    );
    size += text.length;
  }
  return { prompt, temperature: 0, maxOutputTokens: 1_000 };
}

/** Stands in for a provider: on a hit the middleware never calls it. */
const unreachableModel: LanguageModelV3 = {
  specificationVersion: 'v3',
  provider: 'openai.chat',
  modelId: 'gpt-4o-mini',
  supportedUrls: {},
  doGenerate: () => Promise.reject(new Error('a hit must not call the model')),
  doStream: () => Promise.reject(new Error('a hit must not call the model')),
};

/**
 * The whole hit: key (the framed canonical request streamed into SHA-256), then the read as the middleware
 * does it; beside a raw GET. Also, on memory, the middleware's whole `wrapGenerate` on a hit (policy, key,
 * read, stats, replay into a generate result).
 */
async function wholeHits(entryText: string, sizesKb: readonly number[]) {
  const prefix = `roma-bench:${randomUUID()}:`;
  const redisStore = new RedisCacheStore({ url: REDIS_URL, keyPrefix: prefix, logger: quiet });
  const raw = new Redis(REDIS_URL);
  const memoryStore = new MemoryCacheStore();
  const redisCache = createLlmCache({ store: redisStore, logger: quiet });
  const memoryCache = createLlmCache({ store: memoryStore, logger: quiet });
  const wrapGenerate = memoryCache.middleware.wrapGenerate;
  if (!wrapGenerate) throw new Error('the LLM cache middleware has no wrapGenerate');
  const rows: Array<{
    kb: number;
    raw: Summary;
    key: Summary;
    redisHit: Summary;
    memoryHit: Summary;
    middlewareHit: Summary;
  }> = [];
  try {
    if (!(await redisStore.connect())) throw new Error(`Redis at ${REDIS_URL} is not reachable`);
    for (const kb of sizesKb) {
      const params = callOfSize(kb * 1024);
      const { key } = llmCacheKey('openai.chat', 'gpt-4o-mini', params);
      await storeEntry(redisStore, key, entryText);
      await storeEntry(memoryStore, key, entryText);
      const generate = {
        params,
        model: unreachableModel,
        doGenerate: () => unreachableModel.doGenerate(params),
        doStream: () => unreachableModel.doStream(params),
      };
      // Fewer iterations for large prompts: the key's cost grows with the prompt.
      const iterations = Math.max(20, Math.round(ITERATIONS / Math.max(1, kb / 4)));
      const warmup = Math.max(5, Math.round(iterations / 10));
      const samples = {
        raw: [] as bigint[],
        key: [] as bigint[],
        redisHit: [] as bigint[],
        memoryHit: [] as bigint[],
        middlewareHit: [] as bigint[],
      };
      for (let index = 0; index < warmup + iterations; index += 1) {
        let start = process.hrtime.bigint();
        await raw.get(prefix + key);
        const rawNs = process.hrtime.bigint() - start;
        start = process.hrtime.bigint();
        llmCacheKey('openai.chat', 'gpt-4o-mini', params);
        const keyNs = process.hrtime.bigint() - start;
        start = process.hrtime.bigint();
        await lookupHit(redisCache.flights, llmCacheKey('openai.chat', 'gpt-4o-mini', params).key);
        const redisNs = process.hrtime.bigint() - start;
        start = process.hrtime.bigint();
        await lookupHit(memoryCache.flights, llmCacheKey('openai.chat', 'gpt-4o-mini', params).key);
        const memoryNs = process.hrtime.bigint() - start;
        start = process.hrtime.bigint();
        await wrapGenerate(generate);
        const middlewareNs = process.hrtime.bigint() - start;
        if (index < warmup) continue;
        samples.raw.push(rawNs);
        samples.key.push(keyNs);
        samples.redisHit.push(redisNs);
        samples.memoryHit.push(memoryNs);
        samples.middlewareHit.push(middlewareNs);
      }
      rows.push({
        kb,
        raw: summary(samples.raw),
        key: summary(samples.key),
        redisHit: summary(samples.redisHit),
        memoryHit: summary(samples.memoryHit),
        middlewareHit: summary(samples.middlewareHit),
      });
    }
  } finally {
    await memoryCache.flush();
    await redisStore.clear('');
    await redisStore.close();
    raw.disconnect();
  }
  return rows;
}

async function singleFlight(): Promise<{ oneCache: number; tenCaches: number; memory: number }> {
  const server = await startScriptedModelServer({
    rules: [{ reply: { text: 'one answer for all', latencyMs: 200 } }],
  });
  const stores: CacheStore[] = [];
  try {
    const model = () => createOpenAI({ apiKey: 'bench', baseURL: server.openaiBaseUrl }).chat('gpt-4o-mini');
    const fanIn = async (caches: ReturnType<typeof createLlmCache>[], prompt: string) => {
      server.clearRequests();
      const texts = await Promise.all(
        Array.from({ length: 100 }, (_, index) => {
          const cache = caches[index % caches.length];
          if (!cache) throw new Error('no cache');
          return generateText({ model: cache.wrap(model()), prompt, temperature: 0, maxRetries: 0 }).then(
            (result) => result.text,
          );
        }),
      );
      if (texts.some((text) => text !== 'one answer for all')) throw new Error('a caller got another answer');
      await Promise.all(caches.map((cache) => cache.flush()));
      return server.requests.length;
    };
    const memoryStore = new MemoryCacheStore();
    stores.push(memoryStore);
    const memory = await fanIn([createLlmCache({ store: memoryStore, logger: quiet })], 'fan-in memory');
    const redisStore = new RedisCacheStore({
      url: REDIS_URL,
      keyPrefix: `roma-bench:${randomUUID()}:`,
      logger: quiet,
    });
    stores.push(redisStore);
    await redisStore.connect();
    const oneCache = await fanIn([createLlmCache({ store: redisStore, logger: quiet })], 'fan-in one cache');
    // Ten cache instances on one Redis: the lock in Redis, not the in-process map, has to do the work.
    const tenCaches = await fanIn(
      Array.from({ length: 10 }, () => createLlmCache({ store: redisStore, logger: quiet })),
      'fan-in ten caches',
    );
    return { oneCache, tenCaches, memory };
  } finally {
    for (const store of stores) {
      await store.clear('');
      await store.close();
    }
    await server.close();
  }
}

const entryText = sampleEntryText();
console.log(
  `cache benchmark: ${ITERATIONS} iterations, entry ${Buffer.byteLength(entryText)} bytes, ` +
    `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})`,
);
const redis = await redisLatency(entryText);
const memory = await memoryLatency(entryText);
const fanIn = await singleFlight();
const hits = await wholeHits(entryText, [4, 64, 512]);

const format = (figures: { p50Us: number; p99Us: number }) =>
  `p50 ${figures.p50Us.toFixed(1)} µs, p99 ${figures.p99Us.toFixed(1)} µs`;
console.log(`raw ioredis GET                     ${format(redis.raw)}`);
console.log(`RedisCacheStore.get                 ${format(redis.store)}`);
console.log(`Redis hit (get + schema-checked decode) ${format(redis.lookup)}`);
console.log(`MemoryCacheStore.get                ${format(memory.get)}`);
console.log(`memory hit (kept decoded entry, copied) ${format(memory.lookup)}`);
console.log(
  `single-flight, 100 concurrent identical calls: ${fanIn.memory} upstream (memory), ` +
    `${fanIn.oneCache} (Redis, one cache), ${fanIn.tenCaches} (Redis, ten cache instances)`,
);
// Headline figures are for a full hit, as the middleware sees it: GET plus the schema-checked decode.
const redisHitP50Ratio = redis.lookup.p50Us / redis.raw.p50Us;
const storeOnlyRatio = redis.store.p50Us / redis.raw.p50Us;
console.log(
  `ratios to raw GET p50: hit with decode ${redisHitP50Ratio.toFixed(2)}, store get alone ${storeOnlyRatio.toFixed(2)}`,
);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
console.log(
  '\nwhole hit (key: SHA-256 of the framed canonical request, streamed; then the read: Redis get + decode, ' +
    'memory kept entry copied), p50 / p99 µs; last column the whole wrapGenerate on a memory hit:',
);
console.log(
  'prompt | raw GET | key alone | key µs/KB | Redis hit | ratio to raw | memory hit | middleware hit',
);
for (const row of hits) {
  console.log(
    `${String(row.kb).padStart(4)} KB | ${format(row.raw)} | ${format(row.key)} | ${(row.key.p50Us / row.kb).toFixed(2)} | ${format(row.redisHit)} | ${(row.redisHit.p50Us / row.raw.p50Us).toFixed(2)} | ${format(row.memoryHit)} | ${format(row.middlewareHit)}`,
  );
}
const hit4k = hits.find((row) => row.kb === 4)!;
const hitLargest = hits.at(-1)!;
console.log(
  JSON.stringify({
    bench: 'cache',
    redisHitP50Ratio4k: round(hit4k.redisHit.p50Us / hit4k.raw.p50Us, 3),
    keyUsPerKb: round(hitLargest.key.p50Us / hitLargest.kb, 3),
    memoryHitP50Us4k: round(hit4k.memoryHit.p50Us, 2),
    memoryMiddlewareHitP50Us4k: round(hit4k.middlewareHit.p50Us, 2),
    redisHitP50Ratio64k: round(hits[1]!.redisHit.p50Us / hits[1]!.raw.p50Us, 3),
    redisHitP50Ratio512k: round(hitLargest.redisHit.p50Us / hitLargest.raw.p50Us, 3),
    redisHitP50Ratio: round(redisHitP50Ratio, 3),
    redisHitP50Us: round(redis.lookup.p50Us),
    redisHitP99Us: round(redis.lookup.p99Us),
    rawGetP50Us: round(redis.raw.p50Us),
    rawGetP99Us: round(redis.raw.p99Us),
    redisStoreGetP50Ratio: round(storeOnlyRatio, 3),
    memoryHitP50Us: round(memory.lookup.p50Us, 2),
    memoryStoreGetP50Us: round(memory.get.p50Us, 2),
    singleFlightUpstreamCalls: Math.max(fanIn.memory, fanIn.oneCache, fanIn.tenCaches),
    quick,
  }),
);
