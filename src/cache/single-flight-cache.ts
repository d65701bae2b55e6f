// Safe cache access with single-flight: one caller (across processes, with Redis) computes, the rest wait.
import { randomUUID } from 'node:crypto';
import type { CacheLogger } from './cache-logger.js';
import { WarnOnce } from './cache-logger.js';
import type { CacheStatsRecorder } from './cache-stats.js';
import type { CacheStore, Decode, Decoded } from './cache-store.js';
import { sleepAbortable, waitBounded } from './wait.js';

export interface SingleFlightSettings {
  enabled: boolean;
  /** Lock lifetime; renewed every third of it while the holder works, so it lapses only if the holder dies. */
  lockTtlMs: number;
  /** Longest a caller waits for someone else's answer before calling upstream itself. */
  maxWaitMs: number;
}

export const DEFAULT_SINGLE_FLIGHT: SingleFlightSettings = {
  enabled: true,
  lockTtlMs: 10_000,
  maxWaitMs: 120_000,
};

/** How a cache reads its entries: decode (and check) a stored text; copy a decoded value shared by many hits. */
export interface EntryReader<T> {
  decode: Decode<T>;
  /**
   * With it, a store that can (memory) keeps each entry decoded, frozen and shared, and every hit gets
   * `copy(shared)`: cheaper than parsing and checking the text again, and a caller's change stays its own.
   */
  copy?(shared: T): T;
}

interface FindRequest<T> extends EntryReader<T> {
  key: string;
  /** Counter group for stats (`llm:<provider>:<model>`). */
  group: string;
  signal?: AbortSignal;
}

/** The right (and duty) to compute an answer: finish with `complete(text)` or `abandon()`, exactly once. */
export interface FlightLease {
  /** Stores the encoded answer (unless too large) and hands it to every waiter. */
  complete(text: string, ttlMs: number): Promise<void>;
  /** No storable answer (failure, abort): waiters call upstream themselves. */
  abandon(): Promise<void>;
}

type FindResult<T> =
  | { kind: 'hit'; value: T /** Served by another caller's in-flight call. */; joined: boolean }
  | { kind: 'lead'; lease: FlightLease };

type ReadResult<T> = { kind: 'hit'; value: T; text: string } | { kind: 'miss' } | { kind: 'error' };

interface SingleFlightCacheOptions {
  store: CacheStore;
  stats: CacheStatsRecorder;
  logger: CacheLogger;
  maxEntryBytes: number;
  singleFlight?: SingleFlightSettings;
}

const POLL_START_MS = 10;
const POLL_MAX_MS = 200;

export class SingleFlightCache {
  readonly store: CacheStore;
  private readonly stats: CacheStatsRecorder;
  private readonly warnings: WarnOnce;
  private readonly settings: SingleFlightSettings;
  private readonly maxEntryBytes: number;
  private readonly inFlight = new Map<string, Promise<string | undefined>>();

  constructor(options: SingleFlightCacheOptions) {
    this.store = options.store;
    this.stats = options.stats;
    this.warnings = new WarnOnce(options.logger);
    this.settings = options.singleFlight ?? DEFAULT_SINGLE_FLIGHT;
    this.maxEntryBytes = options.maxEntryBytes;
  }

  /**
   * A hit, or a lease to compute the answer. Never throws because of the store: a store failure is a miss
   * (counted). Throws only the caller's own abort.
   */
  async find<T>(request: FindRequest<T>): Promise<FindResult<T>> {
    const first = await this.read(request);
    if (first.kind === 'hit') return { kind: 'hit', value: first.value, joined: false };
    if (!this.settings.enabled) return this.lead(request, first.kind === 'error', undefined);

    const running = this.inFlight.get(request.key);
    if (running !== undefined) {
      const outcome = await waitBounded(running, this.settings.maxWaitMs, request.signal);
      if (outcome.status === 'done' && outcome.value !== undefined) {
        const decoded = request.decode(outcome.value);
        if (decoded.ok) {
          this.stats.record(request.group, { singleFlightJoins: 1 });
          return { kind: 'hit', value: decoded.value, joined: true };
        }
      }
      // The leader failed or took too long: this caller goes upstream on its own, and does not queue again.
      return { kind: 'lead', lease: this.createLease(request, undefined, false) };
    }
    return this.lead(request, first.kind === 'error', this.register(request.key));
  }

  /**
   * Stores an encoded entry (also outside any flight: cache warming); false when too large or the store failed.
   * With `reader`, a memory store decodes it now, once, for every later hit.
   */
  async put(
    key: string,
    group: string,
    text: string,
    ttlMs: number,
    reader?: EntryReader<unknown>,
  ): Promise<boolean> {
    if (Buffer.byteLength(text) > this.maxEntryBytes) {
      this.stats.record(group, { oversize: 1 });
      return false;
    }
    try {
      await this.store.set(key, text, reader?.copy ? { ttlMs, decode: reader.decode } : { ttlMs });
      this.stats.record(group, { stores: 1 });
      return true;
    } catch {
      this.stats.record(group, { errors: 1 });
      return false;
    }
  }

  private register(key: string): Deferred {
    const deferred = createDeferred();
    this.inFlight.set(key, deferred.promise);
    return deferred;
  }

  private async lead<T>(
    request: FindRequest<T>,
    storeFailed: boolean,
    deferred: Deferred | undefined,
  ): Promise<FindResult<T>> {
    if (storeFailed || deferred === undefined) {
      return { kind: 'lead', lease: this.createLease(request, deferred, false) };
    }
    // Cross-process: whoever sets the lock computes; the others poll for its answer. Bounded by maxWaitMs.
    const token = randomUUID();
    const deadline = Date.now() + this.settings.maxWaitMs;
    let pollMs = POLL_START_MS;
    let joined = false;
    try {
      while (Date.now() < deadline) {
        let acquired: boolean;
        try {
          acquired = await this.store.acquireLock(request.key, token, this.settings.lockTtlMs);
        } catch {
          this.stats.record(request.group, { errors: 1 });
          break;
        }
        if (acquired) {
          const lease = this.createLease(request, deferred, true, token);
          // Someone may have stored the answer between our read and our lock.
          const again = await this.read(request);
          if (again.kind === 'hit') {
            await lease.handOver(again.text);
            return { kind: 'hit', value: again.value, joined: true };
          }
          return { kind: 'lead', lease };
        }
        joined = true;
        await sleepAbortable(Math.min(pollMs, Math.max(0, deadline - Date.now())), request.signal);
        pollMs = Math.min(POLL_MAX_MS, Math.ceil(pollMs * 1.5));
        const polled = await this.read(request);
        if (polled.kind === 'hit') {
          this.stats.record(request.group, { singleFlightJoins: 1 });
          this.settle(request.key, deferred, polled.text);
          return { kind: 'hit', value: polled.value, joined: true };
        }
        if (polled.kind === 'error') break;
        // Lock still held: keep waiting. Lock gone without an answer (holder failed or died): try to take it.
      }
    } catch (error) {
      // Our own caller aborted while waiting: waiters of this process must not hang on us.
      this.settle(request.key, deferred, undefined);
      throw error;
    }
    if (joined)
      this.warnings.warn('wait-timeout', 'waited too long for another process to answer; calling upstream');
    return { kind: 'lead', lease: this.createLease(request, deferred, false) };
  }

  private createLease<T>(
    request: FindRequest<T>,
    deferred: Deferred | undefined,
    holdsLock: boolean,
    token = '',
  ): FlightLease & { handOver(text: string): Promise<void> } {
    let done = false;
    let renewal: NodeJS.Timeout | undefined;
    if (holdsLock) {
      // Renewal is bounded too: past the longest any waiter waits, holding the lock helps nobody.
      const renewUntil = Date.now() + this.settings.maxWaitMs + this.settings.lockTtlMs;
      renewal = setInterval(
        () => {
          if (Date.now() > renewUntil) {
            clearInterval(renewal);
            return;
          }
          void (async () => {
            try {
              if (!(await this.store.extendLock(request.key, token, this.settings.lockTtlMs)))
                clearInterval(renewal);
            } catch {
              clearInterval(renewal);
            }
          })();
        },
        Math.max(50, Math.floor(this.settings.lockTtlMs / 3)),
      );
      renewal.unref();
    }
    const finish = async (text: string | undefined, store: { ttlMs: number } | undefined) => {
      if (done) return;
      done = true;
      if (renewal) clearInterval(renewal);
      // Waiters of this process get the answer at once, even one too large to store.
      this.settle(request.key, deferred, text);
      if (text !== undefined && store !== undefined)
        await this.put(request.key, request.group, text, store.ttlMs, request as EntryReader<unknown>);
      if (holdsLock) {
        try {
          await this.store.releaseLock(request.key, token);
        } catch {
          // The lock expires by itself.
        }
      }
    };
    return {
      complete: (text, ttlMs) => finish(text, { ttlMs }),
      abandon: () => finish(undefined, undefined),
      handOver: (text) => finish(text, undefined),
    };
  }

  private settle(key: string, deferred: Deferred | undefined, text: string | undefined): void {
    if (deferred === undefined) return;
    if (this.inFlight.get(key) === deferred.promise) this.inFlight.delete(key);
    deferred.resolve(text);
  }

  private async read<T>(request: FindRequest<T>): Promise<ReadResult<T>> {
    let text: string | undefined;
    let decoded: Decoded<T> | undefined;
    try {
      if (request.copy !== undefined && this.store.getDecoded !== undefined) {
        const stored = this.store.getDecoded(request.key, request.decode);
        text = stored?.text;
        decoded = stored?.decoded;
      } else {
        text = await this.store.get(request.key);
      }
    } catch {
      this.stats.record(request.group, { errors: 1 });
      return { kind: 'error' };
    }
    if (text === undefined) return { kind: 'miss' };
    if (decoded === undefined) {
      decoded = request.decode(text);
    } else if (decoded.ok && request.copy !== undefined) {
      // The store's decoded value is shared by every hit: this caller gets its own.
      return { kind: 'hit', value: request.copy(decoded.value), text };
    }
    if (decoded.ok) return { kind: 'hit', value: decoded.value, text };
    this.stats.record(request.group, { corrupt: 1 });
    this.warnings.warn(
      'corrupt',
      `deleted an unreadable cache entry (${decoded.problem}); further ones are counted`,
    );
    try {
      await this.store.delete(request.key);
    } catch {
      this.stats.record(request.group, { errors: 1 });
    }
    return { kind: 'miss' };
  }
}

interface Deferred {
  promise: Promise<string | undefined>;
  resolve(text: string | undefined): void;
}

function createDeferred(): Deferred {
  let resolve: (text: string | undefined) => void = () => {};
  const promise = new Promise<string | undefined>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
