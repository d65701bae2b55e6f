// While a run runs here, its runner beats in the store, so another host can tell it alive from gone.
import type { ExecutionStore } from '../../store/execution-store.js';
import { RUNNER_ID } from '../control/runner-liveness.js';

/** How often a running run's runner beats by default (a reader calls it gone after a few missed beats). */
export const DEFAULT_RUNNER_BEAT_INTERVAL_MS = 10_000;

/**
 * Beats now and every `intervalMs` until the returned stop is called; 0 never beats. A beat that fails (the store
 * busy or down) is skipped: a run never fails for it, and the next beat comes on time.
 */
export function startRunnerBeat(store: ExecutionStore, executionId: string, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => undefined;
  const beat = () => {
    store.beat(executionId, { runnerId: RUNNER_ID, intervalMs }).catch(() => undefined);
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  // A run in flight keeps the process alive by itself; the beat must not keep it alive after the run.
  timer.unref?.();
  return () => clearInterval(timer);
}
