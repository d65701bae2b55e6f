// Tracking: MLflow runs and OpenTelemetry spans, both folds over a run's stored events.
export type { DeliveryQueueOptions, DeliveryStats } from './delivery-queue.js';
export { DeliveryQueue } from './delivery-queue.js';
export type { ExportRunOptions } from './mlflow/export-run.js';
export { exportRunToMlflow } from './mlflow/export-run.js';
export { MlflowClient } from './mlflow/mlflow-client.js';
export type { MlflowTracker, MlflowTrackerOptions } from './mlflow/mlflow-tracker.js';
export { createMlflowTracker, EVENT_LOG_ARTIFACT } from './mlflow/mlflow-tracker.js';
export type { OpenTrackingOptions, Tracking, TrackingStats } from './open-tracking.js';
export { openTracking } from './open-tracking.js';
export type { OtelTracing, OtelTracingOptions } from './otel/otel-tracing.js';
export type { RunFigures } from './run-figures.js';
export { foldRunFigures, tokensKeptOutOfContext } from './run-figures.js';
