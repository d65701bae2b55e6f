// Scale-out over BullMQ: runs as jobs on Redis, taken by `roma worker` processes on any machine sharing the store.
export type { QueuedRunControlOptions } from './queued-run-control.js';
export { createQueuedRunControl } from './queued-run-control.js';
export type { RunJob } from './run-job.js';
export { RUN_QUEUE_NAME, RunJobSchema } from './run-job.js';
export type { RunQueue, RunQueueCounts } from './run-queue.js';
export { openRunQueue, requireRedisUrl } from './run-queue.js';
export type { RunWorker, RunWorkerOptions } from './run-worker.js';
export { startRunWorker } from './run-worker.js';
export type { WorkerMetricsServer } from './worker-metrics.js';
export { registerQueueGauge, serveWorkerMetrics } from './worker-metrics.js';
