// `roma runs export --to mlflow <id>`: replays a stored run's event log through the tracker into MLflow.
import { RomaError, type StreamEvent } from '../../contracts/index.js';
import { createMlflowTracker } from './mlflow-tracker.js';

interface ExportRunOptions {
  trackingUri: string;
  experimentName: string;
  profile?: string | null;
  /** Bound on the whole export (default 60 s). */
  timeoutMs?: number;
}

/** Sends the run to MLflow and returns the MLflow run id; throws when anything could not be delivered. */
export async function exportRunToMlflow(
  events: readonly StreamEvent[],
  options: ExportRunOptions,
): Promise<string> {
  const executionId = events[0]?.executionId;
  if (!executionId)
    throw new RomaError('VALIDATION_FAILED', 'the run has no events to export', { field: 'id' });
  const tracker = createMlflowTracker({
    trackingUri: options.trackingUri,
    experimentName: options.experimentName,
    profile: options.profile ?? null,
    // A past run's log is replayed at once: room for every delivery it makes (at most three an event).
    queue: { maxQueued: events.length * 3 + 10, maxAttempts: 3 },
  });
  for (const event of events) tracker.onEvent(event);
  await tracker.close(options.timeoutMs ?? 60_000);
  const stats = tracker.stats();
  const runId = tracker.runIdOf(executionId);
  if (stats.dropped > 0 || !runId) {
    throw new RomaError('INTERNAL', `MLflow export incomplete: ${stats.lastError ?? 'no run created'}`, {
      field: 'MLFLOW_TRACKING_URI',
      retryable: true,
      fix: 'check that MLflow answers at MLFLOW_TRACKING_URI (`roma doctor`), then export again',
    });
  }
  return runId;
}
