// Tracking from config: an MLflow tracker with `server.mlflowTrackingUri`, OpenTelemetry spans with
// `otel.endpoint`; each an observer of every stored event. Neither is loaded when unconfigured.
import type { RomaConfig } from '../config/index.js';
import type { StreamEvent } from '../contracts/index.js';
import type { DeliveryStats } from './delivery-queue.js';
import { createMlflowTracker } from './mlflow/mlflow-tracker.js';

export interface TrackingStats {
  /** MLflow deliveries (null when MLflow is not configured); `dropped` is the counted warning. */
  mlflow: DeliveryStats | null;
  otel: { enabled: boolean };
}

export interface Tracking {
  /** Event observers to hand to the runtime's run control. */
  observers: Array<(event: StreamEvent) => void>;
  stats(): TrackingStats;
  /** Sends what it can within the configured flush bound, then stops. */
  close(): Promise<void>;
}

interface OpenTrackingOptions {
  /** The config profile in effect, recorded as an MLflow param. */
  profile?: string | null;
  onWarning?: (message: string) => void;
}

export async function openTracking(config: RomaConfig, options: OpenTrackingOptions = {}): Promise<Tracking> {
  const observers: Array<(event: StreamEvent) => void> = [];
  const closers: Array<() => Promise<void>> = [];
  const flushTimeoutMs = config.tracking.flushTimeoutMs;

  const mlflow = config.server.mlflowTrackingUri
    ? createMlflowTracker({
        trackingUri: config.server.mlflowTrackingUri,
        experimentName: config.tracking.mlflowExperiment,
        profile: options.profile ?? null,
        queue: { maxQueued: config.tracking.maxQueued },
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      })
    : null;
  if (mlflow) {
    observers.push((event) => mlflow.onEvent(event));
    closers.push(() => mlflow.close(flushTimeoutMs));
  }

  let otelEnabled = false;
  if (config.otel.endpoint) {
    try {
      const { openOtelTracing } = await import('./otel/otel-tracing.js');
      const otel = await openOtelTracing({
        endpoint: config.otel.endpoint,
        serviceName: config.otel.serviceName,
        recordContent: config.otel.recordContent,
      });
      otelEnabled = true;
      observers.push((event) => otel.onEvent(event));
      closers.push(() => otel.close(flushTimeoutMs));
    } catch (error) {
      options.onWarning?.(
        `OpenTelemetry tracing off: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  let closed: Promise<void> | null = null;
  return {
    observers,
    stats: () => ({ mlflow: mlflow?.stats() ?? null, otel: { enabled: otelEnabled } }),
    close: () => {
      closed ??= Promise.all(closers.map((close) => close().catch(() => undefined))).then(() => undefined);
      return closed;
    },
  };
}
