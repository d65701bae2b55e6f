// One AbortSignal per model call, combining the caller's signal, the call's timeout and an internal stop.
export interface CallSignal {
  signal: AbortSignal;
  /** Why the call was stopped, if it was. */
  stoppedBy(): 'cancelled' | 'timeout' | 'stopped' | undefined;
  /** Stops the call from inside (a stream consumer that broke out early). */
  stop(): void;
  /** Clears the timer; call when the call settles. */
  dispose(): void;
}

export function createCallSignal(callerSignal: AbortSignal | undefined, timeoutMs: number): CallSignal {
  const timeout = new AbortController();
  const internal = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new DOMException(`model call timed out after ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  );
  // An unref'd timer never keeps a finished process alive.
  timer.unref?.();
  const signals = [timeout.signal, internal.signal, ...(callerSignal ? [callerSignal] : [])];
  return {
    signal: AbortSignal.any(signals),
    stoppedBy() {
      if (callerSignal?.aborted) return 'cancelled';
      if (timeout.signal.aborted) return 'timeout';
      if (internal.signal.aborted) return 'stopped';
      return undefined;
    },
    stop() {
      internal.abort(new DOMException('model stream closed by its consumer', 'AbortError'));
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}
