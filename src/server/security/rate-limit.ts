// Per-client token bucket: each API key (or, without keys, each address) gets a bounded request rate.

interface RateLimitOptions {
  /** Sustained requests per minute per client; the bucket holds as many (a minute's burst). */
  requestsPerMinute: number;
  /** Bound on tracked clients; the least recently seen is forgotten beyond it. */
  maxClients?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

interface RateDecision {
  allowed: boolean;
  /** Seconds until one request is allowed again (for Retry-After). */
  retryAfterSeconds: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #maxClients: number;
  readonly #now: () => number;

  constructor(options: RateLimitOptions) {
    this.#capacity = Math.max(1, options.requestsPerMinute);
    this.#perMs = this.#capacity / 60_000;
    this.#maxClients = options.maxClients ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  take(client: string): RateDecision {
    const now = this.#now();
    let bucket = this.#buckets.get(client);
    if (bucket) {
      this.#buckets.delete(client);
      bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.updatedMs) * this.#perMs);
      bucket.updatedMs = now;
    } else {
      bucket = { tokens: this.#capacity, updatedMs: now };
      if (this.#buckets.size >= this.#maxClients) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    }
    // Re-inserted so the map's order is least recently seen first.
    this.#buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000)),
    };
  }
}
