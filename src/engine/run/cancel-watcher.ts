// Notices a cancel request recorded in the store by another process (`roma runs cancel`), by polling.
import type { ExecutionStore } from '../../store/execution-store.js';

interface CancelWatcherOptions {
  store: ExecutionStore;
  executionId: string;
  afterSeq: number;
  intervalMs: number;
  onCancel: (message: string) => void;
  signal: AbortSignal;
}

/** Polls until the signal aborts or a request is seen; a store error is skipped (the next poll retries). */
export function watchForCancelRequest(options: CancelWatcherOptions): void {
  let afterSeq = options.afterSeq;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy || options.signal.aborted) return;
    busy = true;
    try {
      const events = await options.store.readEvents(options.executionId, { afterSeq, limit: 1000 });
      for (const event of events) {
        afterSeq = event.seq;
        if (event.type === 'execution-cancel-requested') {
          options.onCancel(event.reason ? `cancelled by request: ${event.reason}` : 'cancelled by request');
          clearInterval(timer);
          return;
        }
      }
    } catch {
      // The store hiccupped; the run goes on and the next poll tries again.
    } finally {
      busy = false;
    }
  }, options.intervalMs);
  timer.unref?.();
  options.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
