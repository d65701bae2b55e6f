// Tracking: MLflow runs and OpenTelemetry spans, both folds over a run's stored events.
export { exportRunToMlflow } from './mlflow/export-run.js';
export { MlflowClient } from './mlflow/mlflow-client.js';
export { createMlflowTracker } from './mlflow/mlflow-tracker.js';
export type { Tracking, TrackingStats } from './open-tracking.js';
export { openTracking } from './open-tracking.js';
