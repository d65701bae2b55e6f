// What the API server needs from the runtime: the store, the artifacts and run control. The server never builds services.
import type { ResumeExecutionRequest, StartExecutionRequest } from '../contracts/index.js';
import type { RunQueueCounts } from '../queue/index.js';
import type { ArtifactStore, ExecutionStore } from '../store/index.js';
import type { TrackingStats } from '../tracking/index.js';

export interface ReadyCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ApiRunControl {
  /** Starts a run in this process; resolves once its log exists (so GET /executions/:id answers at once). */
  start(request: StartExecutionRequest): Promise<{ executionId: string }>;
  /** Records the cancel request; the process running the run (any process on the store) stops it. */
  cancel(executionId: string, reason: string): Promise<void>;
  /** Continues a stopped, failed or cancelled run in this process; CONFLICT when it completed or still runs. */
  resume(executionId: string, options: ResumeExecutionRequest): Promise<void>;
}

export interface ApiRuntime {
  store: ExecutionStore;
  artifacts: ArtifactStore;
  runs: ApiRunControl;
  /** The checks of `GET /ready` (store, cache, sandbox…); each one bounded in time by the runtime. */
  checkReady(): Promise<ReadyCheck[]>;
  /** Set when the scripted demo model is wired: the banner, `/health` and the dashboard say so. */
  demo?: { goal: string } | undefined;
  /** MLflow delivery counters of this process's tracking (for /metrics); absent when not tracked. */
  trackingStats?: () => TrackingStats;
  /** Jobs on the BullMQ run queue by state (for /metrics); absent when runs are not queued. */
  queueCounts?: (() => Promise<RunQueueCounts>) | undefined;
  /** Task-step jobs on the BullMQ step queues by state (for /metrics); absent without `queue.steps`. */
  stepQueueCounts?: (() => Promise<RunQueueCounts>) | undefined;
}
