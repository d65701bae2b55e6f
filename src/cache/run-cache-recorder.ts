// Keeps the cache entries a run used (stored or hit), so the run can save them for `roma cache warm --from-run`.
/** Name of the run artifact holding its entries, one `CacheWarmEntryLine` per line. */
export const RUN_CACHE_ARTIFACT_NAME = 'llm-cache.jsonl';
export const RUN_CACHE_ARTIFACT_MIME_TYPE = 'application/x-ndjson';

/** One entry the middleware stored or served; `entry` is the stored text (an encoded LlmCacheEntry). */
export interface CacheEntryRecord {
  key: string;
  entry: string;
  ttlSeconds: number;
  hit: boolean;
  executionId?: string;
}

interface RunCacheRecorderOptions {
  maxEntries?: number;
  maxBytes?: number;
}

export interface RunCacheRecorder {
  /** Pass as `onEntry` to `createLlmCache`. */
  onEntry(record: CacheEntryRecord): void;
  /**
   * The JSONL text of the entries recorded for `executionId` (and of calls that carried no execution id),
   * forgetting them; '' when none.
   */
  drain(executionId?: string): string;
  readonly dropped: number;
}

const NO_EXECUTION = '';

/** Bounded: beyond `maxEntries` or `maxBytes` (per process) further entries are dropped and counted. */
export function createRunCacheRecorder(options: RunCacheRecorderOptions = {}): RunCacheRecorder {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxBytes = options.maxBytes ?? 64 * 1_048_576;
  const byExecution = new Map<string, Map<string, string>>();
  let entries = 0;
  let bytes = 0;
  let dropped = 0;

  return {
    onEntry(record) {
      const bucketName = record.executionId ?? NO_EXECUTION;
      const bucket = byExecution.get(bucketName) ?? new Map<string, string>();
      if (bucket.has(record.key)) return;
      // `entry` is JSON we encoded ourselves; splicing it in avoids parsing it back.
      const line = `{"type":"entry","key":${JSON.stringify(record.key)},"ttlSeconds":${record.ttlSeconds},"entry":${record.entry}}`;
      if (entries + 1 > maxEntries || bytes + line.length > maxBytes) {
        dropped += 1;
        return;
      }
      bucket.set(record.key, line);
      byExecution.set(bucketName, bucket);
      entries += 1;
      bytes += line.length;
    },
    drain(executionId) {
      const names = executionId === undefined ? [...byExecution.keys()] : [executionId, NO_EXECUTION];
      const lines: string[] = [];
      for (const name of names) {
        const bucket = byExecution.get(name);
        if (!bucket) continue;
        for (const line of bucket.values()) {
          lines.push(line);
          entries -= 1;
          bytes -= line.length;
        }
        byExecution.delete(name);
      }
      return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    },
    get dropped() {
      return dropped;
    },
  };
}
