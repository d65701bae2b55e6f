// In-process fan-out of a run's stored events to live watchers: listeners, or async iterables that end with the run.
import type { StreamEvent } from '../../contracts/index.js';

type EventListener = (event: StreamEvent) => void;

export interface EventStreamOptions {
  signal?: AbortSignal;
  /** A watcher that falls this far behind is ended with an error rather than buffering without bound. */
  maxBufferedEvents?: number;
}

export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private closed = false;
  private readonly closeListeners = new Set<() => void>();

  /** Adds a listener; returns the function that removes it. A throwing listener is ignored, never the run's problem. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether anyone watches now (a stream or a listener). */
  get watched(): boolean {
    return this.listeners.size > 0;
  }

  publish(event: StreamEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken watcher must not break the run.
      }
    }
  }

  /** Ends every stream; later subscribers get nothing more. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const onClose of this.closeListeners) onClose();
    this.closeListeners.clear();
    this.listeners.clear();
  }

  /** Events published from now until the run ends (or the signal aborts); cleans up on early `break`. */
  stream(options: EventStreamOptions = {}): AsyncIterableIterator<StreamEvent> {
    const maxBuffered = options.maxBufferedEvents ?? 100_000;
    const buffer: StreamEvent[] = [];
    let wake: (() => void) | null = null;
    let done = this.closed;
    let failure: Error | null = null;
    const notify = () => {
      const resume = wake;
      wake = null;
      resume?.();
    };
    const finish = () => {
      done = true;
      notify();
    };
    const unsubscribe = this.subscribe((event) => {
      if (buffer.length >= maxBuffered) {
        failure = new Error(`live event stream fell ${maxBuffered} events behind; read the store instead`);
        finish();
        return;
      }
      buffer.push(event);
      notify();
    });
    this.closeListeners.add(finish);
    const onAbort = () => finish();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      unsubscribe();
      this.closeListeners.delete(finish);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const iterator: AsyncIterableIterator<StreamEvent> = {
      next: async () => {
        for (;;) {
          const event = buffer.shift();
          if (event) return { value: event, done: false };
          if (failure) {
            cleanup();
            throw failure;
          }
          if (done) {
            cleanup();
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      },
      return: async () => {
        done = true;
        cleanup();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}
