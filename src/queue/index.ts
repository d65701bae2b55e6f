// Scale-out over BullMQ: runs (and, with queue.steps, their task steps) as jobs on Redis, taken by `roma worker`s.
export type { QueuedRunControlOptions } from './queued-run-control.js';
export { createQueuedRunControl } from './queued-run-control.js';
export type { RunJob } from './run-job.js';
export { RUN_QUEUE_NAME, RunJobSchema } from './run-job.js';
export type { RunQueue, RunQueueCounts } from './run-queue.js';
export { openRunQueue, requireRedisUrl } from './run-queue.js';
export type { RunWorker, RunWorkerOptions } from './run-worker.js';
export { startRunWorker } from './run-worker.js';
export type { StepQueue } from './step-queue.js';
export { openStepQueue } from './step-queue.js';
export type { StepWorker } from './step-worker.js';
export { startStepWorker } from './step-worker.js';
export type { WorkerMetricsServer } from './worker-metrics.js';
export { registerQueueGauge, STEP_QUEUE_GAUGE, serveWorkerMetrics } from './worker-metrics.js';
