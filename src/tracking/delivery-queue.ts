// A bounded, ordered queue of deliveries to a tracking service: retried with backoff, then dropped and counted,
// so a service that is down or slow never fails or slows the run that feeds it.

export interface DeliveryStats {
  /** Waiting to be sent now. */
  queued: number;
  delivered: number;
  /** Attempts repeated after a retryable failure. */
  retried: number;
  /** Given up on (queue full, retries spent, a failure that cannot succeed, or not sent before close). */
  dropped: number;
  lastError: string | null;
}

export interface DeliveryQueueOptions {
  /** Deliveries waiting at most; one more is dropped (default 1000). */
  maxQueued?: number;
  /** Tries of one delivery, the first included (default 4). */
  maxAttempts?: number;
  /** First backoff; doubled each retry up to `maxBackoffMs` (defaults 200 and 5000). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Bound on one attempt (default 5000). */
  attemptTimeoutMs?: number;
  /** Told once per drop, e.g. to log a warning. */
  onDrop?: (label: string, reason: string) => void;
}

/** What a delivery throws to say whether repeating it can help. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

interface Delivery {
  label: string;
  send: (signal: AbortSignal) => Promise<void>;
}

function isRetryable(error: unknown): boolean {
  if (error instanceof DeliveryError) return error.retryable;
  // Network errors, timeouts and aborts of one attempt: the service may answer next time.
  return true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class DeliveryQueue {
  private readonly pending: Delivery[] = [];
  private readonly options: Required<Omit<DeliveryQueueOptions, 'onDrop'>> &
    Pick<DeliveryQueueOptions, 'onDrop'>;
  private readonly counters: DeliveryStats = {
    queued: 0,
    delivered: 0,
    retried: 0,
    dropped: 0,
    lastError: null,
  };
  private running: Promise<void> | null = null;
  private readonly closing = new AbortController();

  constructor(options: DeliveryQueueOptions = {}) {
    this.options = {
      maxQueued: options.maxQueued ?? 1000,
      maxAttempts: options.maxAttempts ?? 4,
      baseBackoffMs: options.baseBackoffMs ?? 200,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      attemptTimeoutMs: options.attemptTimeoutMs ?? 5000,
      onDrop: options.onDrop,
    };
  }

  /** Queues a delivery and returns at once; false when it was dropped (queue full or closed). */
  push(label: string, send: (signal: AbortSignal) => Promise<void>): boolean {
    if (this.closing.signal.aborted || this.pending.length >= this.options.maxQueued) {
      this.drop(label, this.closing.signal.aborted ? 'closed' : `queue full (${this.options.maxQueued})`);
      return false;
    }
    this.pending.push({ label, send });
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
    return true;
  }

  stats(): DeliveryStats {
    return { ...this.counters, queued: this.pending.length };
  }

  /**
   * Waits until everything queued is delivered, at most `timeoutMs`; what is left then is dropped (counted)
   * and later pushes are refused.
   */
  async close(timeoutMs: number): Promise<void> {
    const drained = this.running ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      drained,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref?.();
      }),
    ]);
    clearTimeout(timer);
    this.closing.abort();
    await drained;
    for (const delivery of this.pending.splice(0)) this.drop(delivery.label, 'not sent before close');
  }

  /** Waits until the queue is empty (tests, export). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private drop(label: string, reason: string): void {
    this.counters.dropped += 1;
    this.counters.lastError = `${label}: ${reason}`;
    this.options.onDrop?.(label, reason);
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.closing.signal.aborted) {
      const delivery = this.pending.shift()!;
      await this.deliver(delivery);
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const signal = AbortSignal.any([
        this.closing.signal,
        AbortSignal.timeout(this.options.attemptTimeoutMs),
      ]);
      try {
        await delivery.send(signal);
        this.counters.delivered += 1;
        return;
      } catch (error) {
        const reason = messageOf(error);
        if (this.closing.signal.aborted) return this.drop(delivery.label, 'not sent before close');
        if (!isRetryable(error) || attempt >= this.options.maxAttempts) {
          return this.drop(delivery.label, attempt > 1 ? `${reason} (after ${attempt} attempts)` : reason);
        }
        this.counters.retried += 1;
        const backoffMs = Math.min(
          this.options.maxBackoffMs,
          this.options.baseBackoffMs * 2 ** (attempt - 1),
        );
        await sleep(backoffMs, this.closing.signal);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
