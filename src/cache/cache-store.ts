// CacheStore: the key/value interface the LLM and PTC caches run on (memory LRU or Redis); types only.

/** Memory stores answer synchronously, Redis asynchronously; callers `await` either way. */
export type MaybePromise<T> = T | Promise<T>;

/** A stored text read back: the value, or why the text is not a valid entry. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

export type Decode<T> = (text: string) => Decoded<T>;

export interface CacheSetOptions {
  /** Time to live; the entry is never returned after it. No expiry when absent. */
  ttlMs?: number;
  /** How readers will decode the value: a store that supports `getDecoded` may decode it now, once. */
  decode?: Decode<unknown>;
}

/** Counters of one group (e.g. `llm:openai.chat:gpt-4o`), field → value. */
export type CounterGroup = Record<string, number>;

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  /** The stored string, or undefined when absent or expired. */
  get(key: string): MaybePromise<string | undefined>;
  /**
   * Only a store that holds values in this process (memory) has it: the stored string with `decode(text)`,
   * decoded at most once per stored value. A successfully decoded value is deep-frozen and the same object
   * for every reader with the same `decode`: readers that hand it on must copy it.
   */
  getDecoded?<T>(key: string, decode: Decode<T>): { text: string; decoded: Decoded<T> } | undefined;
  set(key: string, value: string, options?: CacheSetOptions): MaybePromise<void>;
  /** True when an entry was removed. */
  delete(key: string): MaybePromise<boolean>;
  /**
   * Removes every entry, counter group and lock whose key starts with `prefix` (`''` = everything of this
   * store's key prefix). Returns how many keys were removed.
   */
  clear(prefix: string): MaybePromise<number>;

  /** Adds `increments` to the named counter group, creating it on first use. */
  incrementCounters(group: string, increments: CounterGroup): MaybePromise<void>;
  /** Every counter group whose name starts with `prefix`. */
  readCounters(prefix: string): MaybePromise<Record<string, CounterGroup>>;

  /** Single-flight lock: true when `token` now holds `key` (set only if absent, expires after `ttlMs`). */
  acquireLock(key: string, token: string, ttlMs: number): MaybePromise<boolean>;
  /** Extends the lock while `token` still holds it; false when it was lost (expired or taken). */
  extendLock(key: string, token: string, ttlMs: number): MaybePromise<boolean>;
  /** Releases the lock if `token` holds it; a lost lock is left alone. */
  releaseLock(key: string, token: string): MaybePromise<boolean>;
  /** True while some token holds `key`. */
  isLocked(key: string): MaybePromise<boolean>;

  close(): MaybePromise<void>;
}
