// RedisCacheStore: the CacheStore on Redis (ioredis), shared by processes; fails fast while Redis is away.
import { Redis, type RedisOptions } from 'ioredis';
import { RomaError } from '../contracts/index.js';
import { type CacheLogger, stderrCacheLogger, WarnOnce } from './cache-logger.js';
import type { CacheSetOptions, CacheStore, CounterGroup } from './cache-store.js';

interface RedisCacheStoreOptions {
  /** `redis://…`; `REDIS_URL` when absent, then `redis://127.0.0.1:6379`. */
  url?: string;
  /** Prepended to every key, so several deployments or test runs share one Redis. */
  keyPrefix?: string;
  /** Bound on every command; a slow or black-holed Redis turns into a miss, not a stalled run. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /**
   * Once Redis is marked down (a failed command, a lost connection), no command is sent until a background
   * PING every `probeIntervalMs` (default 1000, bounded 50..60000) answers: a frozen Redis whose socket still
   * looks ready would otherwise cost every cache lookup the command timeout.
   */
  probeIntervalMs?: number;
  logger?: CacheLogger;
  /** Extra ioredis options (tests); the fail-fast settings above win. */
  redisOptions?: RedisOptions;
}

const COUNTERS_SEGMENT = 'stats:';
const LOCKS_SEGMENT = 'lock:';
const SCAN_BATCH = 500;
const DEFAULT_PROBE_INTERVAL_MS = 1_000;
/** Bound on SCAN rounds of one `clear`/`readCounters` (500 keys each): 50 million keys. */
const MAX_SCAN_ROUNDS = 100_000;

const EXTEND_LOCK_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_LOCK_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Redis URLs already warned about `noeviction`, per logger: a process that opens several stores on one Redis
 * (the CLI's cache, a PTC agent's, a test's) says it once, while a test's own logger still hears it.
 */
const noevictionWarned = new WeakMap<CacheLogger, Set<string>>();

function firstNoevictionWarning(logger: CacheLogger, displayUrl: string): boolean {
  const urls = noevictionWarned.get(logger) ?? new Set<string>();
  noevictionWarned.set(logger, urls);
  if (urls.has(displayUrl)) return false;
  urls.add(displayUrl);
  return true;
}

/** The URL without its password, for messages. */
function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis (unparseable URL)';
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}

export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis' as const;
  readonly keyPrefix: string;
  readonly client: Redis;
  private readonly displayUrl: string;
  private readonly logger: CacheLogger;
  private readonly warnings: WarnOnce;
  private failures = 0;
  private closed = false;
  /** True from a failure until a probe (or a fresh connection) shows Redis answering again. */
  private down = false;
  private skipped = 0;
  private readonly probeIntervalMs: number;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(options: RedisCacheStoreOptions = {}) {
    const url = options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    this.displayUrl = redactRedisUrl(url);
    this.keyPrefix = options.keyPrefix ?? 'roma:';
    this.logger = options.logger ?? stderrCacheLogger;
    this.warnings = new WarnOnce(this.logger);
    this.probeIntervalMs = Math.min(
      Math.max(Math.floor(options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS), 50),
      60_000,
    );
    this.client = new Redis(url, {
      ...options.redisOptions,
      lazyConnect: true,
      // A cache must never hold a request: no queue while disconnected, no per-command retries, bounded time.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 1_000,
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      // Reconnect forever in the background, at most every 2 s, so the cache comes back with Redis.
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
    this.client.on('error', (error: Error) => this.markDown(error.message));
    this.client.on('ready', () => this.onReady());
  }

  /** Failed commands and connection errors seen by this process. */
  get errorCount(): number {
    return this.failures;
  }

  /** Commands not sent because Redis was marked down (each a miss or a skipped write; counted in errorCount too). */
  get skippedCount(): number {
    return this.skipped;
  }

  get available(): boolean {
    return this.client.status === 'ready' && !this.down;
  }

  /**
   * Connects, waiting at most the connect timeout. Never throws: a Redis that is down at start means an
   * uncached run (one warning), and the background reconnect brings the cache back later.
   */
  async connect(): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    if (this.client.status === 'wait') {
      try {
        await this.client.connect();
      } catch (error) {
        this.markDown((error as Error).message);
        return false;
      }
    }
    return this.available;
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.run('GET', () => this.client.get(this.keyPrefix + key));
    return value ?? undefined;
  }

  async set(key: string, value: string, options: CacheSetOptions = {}): Promise<void> {
    const fullKey = this.keyPrefix + key;
    if (options.ttlMs === undefined) await this.run('SET', () => this.client.set(fullKey, value));
    else await this.run('SET', () => this.client.set(fullKey, value, 'PX', Math.max(1, options.ttlMs ?? 1)));
  }

  async delete(key: string): Promise<boolean> {
    return (await this.run('DEL', () => this.client.del(this.keyPrefix + key))) > 0;
  }

  async clear(prefix: string): Promise<number> {
    const patterns = [
      `${escapeGlob(this.keyPrefix + prefix)}*`,
      `${escapeGlob(this.keyPrefix + COUNTERS_SEGMENT + prefix)}*`,
      `${escapeGlob(this.keyPrefix + LOCKS_SEGMENT + prefix)}*`,
    ];
    let removed = 0;
    for (const pattern of new Set(patterns)) {
      for await (const keys of this.scan(pattern)) {
        if (keys.length > 0) removed += await this.run('UNLINK', () => this.client.unlink(...keys));
      }
    }
    return removed;
  }

  async incrementCounters(group: string, increments: CounterGroup): Promise<void> {
    const fullKey = this.keyPrefix + COUNTERS_SEGMENT + group;
    const pipeline = this.client.multi();
    for (const [field, amount] of Object.entries(increments)) {
      if (amount === 0) continue;
      if (Number.isInteger(amount)) pipeline.hincrby(fullKey, field, amount);
      else pipeline.hincrbyfloat(fullKey, field, amount);
    }
    await this.run('MULTI', () => pipeline.exec());
  }

  async readCounters(prefix: string): Promise<Record<string, CounterGroup>> {
    const base = this.keyPrefix + COUNTERS_SEGMENT;
    const out: Record<string, CounterGroup> = {};
    for await (const keys of this.scan(`${escapeGlob(base + prefix)}*`)) {
      for (const fullKey of keys) {
        const fields = await this.run('HGETALL', () => this.client.hgetall(fullKey));
        const counters: CounterGroup = {};
        for (const [field, value] of Object.entries(fields)) {
          const amount = Number(value);
          if (Number.isFinite(amount)) counters[field] = amount;
        }
        out[fullKey.slice(base.length)] = counters;
      }
    }
    return out;
  }

  async acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    const fullKey = this.keyPrefix + LOCKS_SEGMENT + key;
    const reply = await this.run('SET NX', () => this.client.set(fullKey, token, 'PX', ttlMs, 'NX'));
    return reply === 'OK';
  }

  async extendLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    const fullKey = this.keyPrefix + LOCKS_SEGMENT + key;
    const reply = await this.run('EVAL', () =>
      this.client.eval(EXTEND_LOCK_SCRIPT, 1, fullKey, token, ttlMs),
    );
    return Number(reply) === 1;
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    const fullKey = this.keyPrefix + LOCKS_SEGMENT + key;
    const reply = await this.run('EVAL', () => this.client.eval(RELEASE_LOCK_SCRIPT, 1, fullKey, token));
    return Number(reply) === 1;
  }

  async isLocked(key: string): Promise<boolean> {
    return (await this.run('EXISTS', () => this.client.exists(this.keyPrefix + LOCKS_SEGMENT + key))) > 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopProbe();
    // A Redis marked down would hold QUIT for the command timeout: drop the connection instead.
    if (this.client.status === 'ready' && !this.down) {
      try {
        await this.client.quit();
        return;
      } catch {
        // Fall through to a hard disconnect.
      }
    }
    this.client.disconnect();
  }

  private async *scan(pattern: string): AsyncGenerator<string[]> {
    let cursor = '0';
    for (let round = 0; round < MAX_SCAN_ROUNDS; round += 1) {
      const [next, keys] = await this.run('SCAN', () =>
        this.client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH),
      );
      yield keys;
      cursor = next;
      if (cursor === '0') return;
    }
  }

  private async run<T>(command: string, action: () => Promise<T>): Promise<T> {
    if (this.closed) throw new RomaError('CACHE_FAILED', 'the Redis cache store is closed');
    if (this.down) {
      // Fail at once rather than wait the command timeout on a Redis known to be away; the probe re-opens.
      this.skipped += 1;
      this.failures += 1;
      throw new RomaError('CACHE_FAILED', `Redis ${command} skipped: Redis at ${this.displayUrl} is down`, {
        retryable: true,
        fix: `check that Redis at ${this.displayUrl} is reachable; the cache is used again once it answers`,
      });
    }
    try {
      return await action();
    } catch (error) {
      this.markDown((error as Error).message);
      throw new RomaError('CACHE_FAILED', `Redis ${command} failed: ${(error as Error).message}`, {
        retryable: true,
        cause: error,
        fix: `check that Redis at ${this.displayUrl} is reachable`,
      });
    }
  }

  private markDown(reason: string): void {
    this.failures += 1;
    if (this.closed) return;
    this.down = true;
    this.startProbe();
    this.warnings.warn(
      'down',
      `Redis at ${this.displayUrl} is unavailable (${reason}); running uncached until it is back`,
    );
  }

  private onReady(): void {
    this.markUp();
    void this.checkEvictionPolicy();
  }

  private markUp(): void {
    this.down = false;
    this.stopProbe();
    if (this.warnings.reset('down'))
      this.logger.info?.(`Redis at ${this.displayUrl} is back; cache in use again`);
  }

  private startProbe(): void {
    if (this.probeTimer || this.closed) return;
    this.probeTimer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref?.();
  }

  private stopProbe(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  /** One PING at a time, bounded by the command timeout; a reconnecting client is left to its 'ready' event. */
  private async probe(): Promise<void> {
    if (this.probing || this.closed || this.client.status !== 'ready') return;
    this.probing = true;
    try {
      await this.client.ping();
      if (!this.closed) this.markUp();
    } catch {
      // Still away: the next interval tries again.
    } finally {
      this.probing = false;
    }
  }

  private async checkEvictionPolicy(): Promise<void> {
    if (this.warnings.has('noeviction')) return;
    try {
      const reply = (await this.client.config('GET', 'maxmemory-policy')) as unknown;
      const policy = Array.isArray(reply) ? String(reply[1] ?? '') : '';
      if (policy === 'noeviction' && firstNoevictionWarning(this.logger, this.displayUrl)) {
        this.warnings.warn(
          'noeviction',
          `Redis at ${this.displayUrl} has maxmemory-policy noeviction: when full, cache writes fail instead of ` +
            'evicting old entries (set maxmemory-policy volatile-lru, as docker/redis.conf does: cache entries expire, queue jobs do not)',
        );
      }
    } catch {
      // Managed Redis often forbids CONFIG; the policy is then unknown and nothing is said.
    }
  }
}
