// Bounded, abortable waiting: every wait of the cache ends by a value, a timeout, or the caller's abort.

type WaitOutcome<T> = { status: 'done'; value: T } | { status: 'timeout' };

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Waits for `promise` at most `timeoutMs`; rejects with the signal's reason when it aborts. */
export function waitBounded<T>(
  promise: Promise<T>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<WaitOutcome<T>> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<WaitOutcome<T>>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      finish();
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(
      () => {
        finish();
        resolve({ status: 'timeout' });
      },
      Math.max(0, timeoutMs),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        finish();
        resolve({ status: 'done', value });
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}

/** Sleeps `ms`, or rejects early when the signal aborts. */
export async function sleepAbortable(ms: number, signal?: AbortSignal): Promise<void> {
  await waitBounded(new Promise<never>(() => {}), ms, signal);
}
