// Cache statistics: counters per namespace and model, kept in the store (so all processes add up) and locally.
import type { CacheStore, CounterGroup } from './cache-store.js';

const CACHE_COUNTERS = [
  'hits',
  'misses',
  /** Calls the policy kept away from the cache (NEVER, or SMART on a non-deterministic call). */
  'bypassed',
  'stores',
  'inputTokensSaved',
  'outputTokensSaved',
  'costSavedUsd',
  /** Store failures (Redis down, timeouts); the call went upstream. */
  'errors',
  /** Entries that failed their schema check; deleted. */
  'corrupt',
  /** Answers larger than `maxEntryBytes`; not stored. */
  'oversize',
  /** Calls served by another caller's in-flight request (same process or, with Redis, another process). */
  'singleFlightJoins',
] as const;
export type CacheCounter = (typeof CACHE_COUNTERS)[number];
type CacheCounterIncrements = Partial<Record<CacheCounter, number>>;

/** Counter group of one namespace and model: `llm:openai.chat:gpt-4o`, `ptc:openai:gpt-4o`. */
export function statsGroupName(namespace: string, model: string): string {
  return `${namespace}:${model}`;
}

/** Bound on increments not yet confirmed by the store; beyond it new ones are counted locally only. */
const MAX_PENDING = 1_000;

/**
 * Records counters without ever delaying a model call: the store write runs in the background and a failure
 * is only counted. `flush()` waits for the writes in flight (a CLI calls it before exit).
 */
export class CacheStatsRecorder {
  private readonly local = new Map<string, CounterGroup>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly store: CacheStore) {}

  record(group: string, increments: CacheCounterIncrements): void {
    const entries = Object.entries(increments).filter(([, amount]) => amount !== undefined && amount !== 0);
    if (entries.length === 0) return;
    const counters = this.local.get(group) ?? {};
    for (const [field, amount] of entries) counters[field] = (counters[field] ?? 0) + (amount ?? 0);
    this.local.set(group, counters);
    if (this.pending.size >= MAX_PENDING) return;
    const write = (async () => {
      try {
        await this.store.incrementCounters(group, Object.fromEntries(entries) as CounterGroup);
      } catch {
        // The store is down; the local counters still hold the numbers.
      }
    })();
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /** Counters this process recorded (including those the store could not take). */
  snapshot(): Record<string, CounterGroup> {
    return Object.fromEntries([...this.local].map(([group, counters]) => [group, { ...counters }]));
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}

export interface CacheStatsRow {
  namespace: string;
  model: string;
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 when neither. */
  hitRate: number;
  counters: Record<CacheCounter, number>;
}

export interface CacheStatsReport {
  rows: CacheStatsRow[];
  totals: CacheStatsRow;
}

function emptyCounters(): Record<CacheCounter, number> {
  return Object.fromEntries(CACHE_COUNTERS.map((name) => [name, 0])) as Record<CacheCounter, number>;
}

function row(namespace: string, model: string, counters: Record<CacheCounter, number>): CacheStatsRow {
  const lookups = counters.hits + counters.misses;
  return {
    namespace,
    model,
    hits: counters.hits,
    misses: counters.misses,
    hitRate: lookups === 0 ? 0 : counters.hits / lookups,
    counters,
  };
}

/** Folds counter groups (from `store.readCounters('')` or a recorder snapshot) into rows and totals. */
function summarizeCacheStats(groups: Record<string, CounterGroup>): CacheStatsReport {
  const rows: CacheStatsRow[] = [];
  const total = emptyCounters();
  for (const [group, values] of Object.entries(groups).sort(([a], [b]) => a.localeCompare(b))) {
    const separator = group.indexOf(':');
    const namespace = separator === -1 ? group : group.slice(0, separator);
    const model = separator === -1 ? '' : group.slice(separator + 1);
    const counters = emptyCounters();
    for (const name of CACHE_COUNTERS) {
      counters[name] = values[name] ?? 0;
      total[name] += counters[name];
    }
    rows.push(row(namespace, model, counters));
  }
  return { rows, totals: row('*', '*', total) };
}

export async function readCacheStats(store: CacheStore, namespace = ''): Promise<CacheStatsReport> {
  return summarizeCacheStats(await store.readCounters(namespace ? `${namespace}:` : ''));
}
