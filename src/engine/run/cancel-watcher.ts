// Notices a cancel request recorded in the store by another process (`roma runs cancel`), by polling.
import type { ExecutionStore } from '../../store/execution-store.js';

interface CancelWatcherOptions {
  store: ExecutionStore;
  executionId: string;
  afterSeq: number;
  /**
   * The highest seq this process has stored in the run, durable: every seq below it is committed too, so a read
   * that starts after it was stored sees any request up to it, and the next read can start there.
   */
  storedThrough: () => number;
  intervalMs: number;
  onCancel: (message: string) => void;
  signal: AbortSignal;
}

/**
 * Polls until the signal aborts or a request is seen; a store error is skipped (the next poll retries). Each poll
 * reads from where the last one left off, so its cost follows what the run appended since, not its whole log.
 */
export function watchForCancelRequest(options: CancelWatcherOptions): void {
  let afterSeq = options.afterSeq;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy || options.signal.aborted) return;
    busy = true;
    try {
      const readFrom = afterSeq;
      const watermark = options.storedThrough();
      // Only the requests: the run's own events (most of its log) are skipped by the store, not decoded here.
      const [request] = await options.store.readEvents(options.executionId, {
        afterSeq: readFrom,
        types: ['execution-cancel-requested'],
        limit: 1,
      });
      if (request?.type === 'execution-cancel-requested') {
        options.onCancel(request.reason ? `cancelled by request: ${request.reason}` : 'cancelled by request');
        clearInterval(timer);
        return;
      }
      afterSeq = Math.max(readFrom, watermark);
    } catch {
      // The store hiccupped; the run goes on and the next poll tries again.
    } finally {
      busy = false;
    }
  }, options.intervalMs);
  timer.unref?.();
  options.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
