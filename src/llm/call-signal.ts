// One AbortSignal per model call, combining the caller's signal and an internal stop; the AI SDK bounds the time.
export interface CallSignal {
  signal: AbortSignal;
  /** Why the call was stopped, if it was; `error` is what the call threw (the SDK's timeout is a TimeoutError). */
  stoppedBy(error?: unknown): 'cancelled' | 'timeout' | 'stopped' | undefined;
  /** Stops the call from inside (a stream consumer that broke out early). */
  stop(): void;
}

/** True for the AI SDK's `timeout` abort (a DOMException named TimeoutError), wherever it sits in the cause chain. */
function isTimeoutError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if ((current as { name?: unknown }).name === 'TimeoutError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * `stoppable: false` (a call that is never stopped from inside, i.e. not a stream) uses the caller's signal as
 * it is: on Node 20 every AbortController and `AbortSignal.any` costs a visible share of a model call's CPU.
 */
export function createCallSignal(callerSignal: AbortSignal | undefined, stoppable = true): CallSignal {
  if (!stoppable) {
    const signal = callerSignal ?? new AbortController().signal;
    return {
      signal,
      stoppedBy(error) {
        if (callerSignal?.aborted) return 'cancelled';
        if (isTimeoutError(error)) return 'timeout';
        return undefined;
      },
      stop() {
        throw new Error('this model call cannot be stopped from inside (only streams can)');
      },
    };
  }
  const internal = new AbortController();
  const signals = [internal.signal, ...(callerSignal ? [callerSignal] : [])];
  return {
    signal: AbortSignal.any(signals),
    stoppedBy(error) {
      if (callerSignal?.aborted) return 'cancelled';
      if (internal.signal.aborted) return 'stopped';
      if (isTimeoutError(error)) return 'timeout';
      return undefined;
    },
    stop() {
      internal.abort(new DOMException('model stream closed by its consumer', 'AbortError'));
    },
  };
}
