// MemoryCacheStore: the default CacheStore, an in-process LRU bounded by entry count and by bytes.
import type { CacheSetOptions, CacheStore, CounterGroup, Decode, Decoded } from './cache-store.js';
import { deepFreeze } from './shared-value.js';

interface MemoryCacheStoreOptions {
  maxEntries?: number;
  /** Sum of key and value sizes (UTF-8 bytes) the LRU keeps before evicting the least recently used. */
  maxBytes?: number;
  /** Injected clock for expiry, so tests need not wait. */
  now?: () => number;
}

interface MemoryEntry {
  value: string;
  bytes: number;
  expiresAt: number;
  /** `value` decoded once by `decode` and frozen, so a hit need not parse and schema-check it again. */
  decoded?: { decode: Decode<unknown>; result: Decoded<unknown> };
}

const NEVER = Number.POSITIVE_INFINITY;

export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory' as const;
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly now: () => number;
  // A Map iterates in insertion order; re-inserting on read makes the first key the least recently used.
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly counters = new Map<string, CounterGroup>();
  private readonly locks = new Map<string, { token: string; expiresAt: number }>();
  private totalBytes = 0;

  constructor(options: MemoryCacheStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxBytes = options.maxBytes ?? 64 * 1_048_576;
    this.now = options.now ?? Date.now;
  }

  /** Entries currently held and their byte total (for stats and tests). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.totalBytes };
  }

  get(key: string): string | undefined {
    return this.touch(key)?.value;
  }

  getDecoded<T>(key: string, decode: Decode<T>): { text: string; decoded: Decoded<T> } | undefined {
    const entry = this.touch(key);
    if (entry === undefined) return undefined;
    if (entry.decoded?.decode === decode) {
      return { text: entry.value, decoded: entry.decoded.result as Decoded<T> };
    }
    const decoded = decode(entry.value);
    // A text that does not decode is not kept decoded: its reader deletes it.
    if (decoded.ok) this.keepDecoded(entry, decode as Decode<unknown>, decoded);
    return { text: entry.value, decoded };
  }

  set(key: string, value: string, options: CacheSetOptions = {}): void {
    const previous = this.entries.get(key);
    if (previous !== undefined) this.remove(key, previous);
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    // An entry larger than the whole store would evict everything and still not fit.
    if (bytes > this.maxBytes) return;
    const expiresAt = options.ttlMs === undefined ? NEVER : this.now() + options.ttlMs;
    const entry: MemoryEntry = { value, bytes, expiresAt };
    this.entries.set(key, entry);
    this.totalBytes += bytes;
    if (options.decode !== undefined) {
      // Decoded (and checked) now, on the way in, so that even the first hit finds it ready.
      const decoded = options.decode(value);
      if (decoded.ok) this.keepDecoded(entry, options.decode, decoded);
    }
    this.evict();
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.remove(key, entry);
    return true;
  }

  clear(prefix: string): number {
    let removed = 0;
    for (const [key, entry] of [...this.entries]) {
      if (!key.startsWith(prefix)) continue;
      this.remove(key, entry);
      removed += 1;
    }
    for (const group of [...this.counters.keys()]) {
      if (!group.startsWith(prefix)) continue;
      this.counters.delete(group);
      removed += 1;
    }
    for (const key of [...this.locks.keys()]) {
      if (!key.startsWith(prefix)) continue;
      this.locks.delete(key);
      removed += 1;
    }
    return removed;
  }

  incrementCounters(group: string, increments: CounterGroup): void {
    const counters = this.counters.get(group) ?? {};
    for (const [field, amount] of Object.entries(increments)) {
      counters[field] = (counters[field] ?? 0) + amount;
    }
    this.counters.set(group, counters);
  }

  readCounters(prefix: string): Record<string, CounterGroup> {
    const out: Record<string, CounterGroup> = {};
    for (const [group, counters] of this.counters) {
      if (group.startsWith(prefix)) out[group] = { ...counters };
    }
    return out;
  }

  acquireLock(key: string, token: string, ttlMs: number): boolean {
    if (this.heldLock(key) !== undefined) return false;
    this.locks.set(key, { token, expiresAt: this.now() + ttlMs });
    return true;
  }

  extendLock(key: string, token: string, ttlMs: number): boolean {
    const lock = this.heldLock(key);
    if (lock?.token !== token) return false;
    lock.expiresAt = this.now() + ttlMs;
    return true;
  }

  releaseLock(key: string, token: string): boolean {
    const lock = this.heldLock(key);
    if (lock?.token !== token) return false;
    this.locks.delete(key);
    return true;
  }

  isLocked(key: string): boolean {
    return this.heldLock(key) !== undefined;
  }

  close(): void {
    this.entries.clear();
    this.counters.clear();
    this.locks.clear();
    this.totalBytes = 0;
  }

  /** The live entry, now the most recently used; an expired one is removed. */
  private touch(key: string): MemoryEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key, entry);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  private keepDecoded(entry: MemoryEntry, decode: Decode<unknown>, decoded: Decoded<unknown>): void {
    // The decoded objects take heap too: counted at the text's size again, so the byte bound still bounds.
    const extraBytes = entry.decoded === undefined ? Buffer.byteLength(entry.value) : 0;
    // Too large to keep twice: decoding on each hit beats evicting the entry.
    if (entry.bytes + extraBytes > this.maxBytes) return;
    entry.decoded = { decode, result: deepFreeze(decoded) };
    entry.bytes += extraBytes;
    this.totalBytes += extraBytes;
    this.evict();
  }

  private heldLock(key: string): { token: string; expiresAt: number } | undefined {
    const lock = this.locks.get(key);
    if (lock === undefined) return undefined;
    if (lock.expiresAt <= this.now()) {
      this.locks.delete(key);
      return undefined;
    }
    return lock;
  }

  private remove(key: string, entry: MemoryEntry): void {
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  private evict(): void {
    // Bounded: each pass removes one entry, and the loop stops when the map is empty.
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.entries.entries().next();
      if (oldest.done) return;
      this.remove(oldest.value[0], oldest.value[1]);
    }
  }
}
