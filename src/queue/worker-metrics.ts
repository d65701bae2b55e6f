// `roma worker --metrics-port`: Prometheus text of the queues (jobs by state) and of this worker (runs, steps, stalls).
import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import type { RunQueue } from './run-queue.js';
import type { RunWorker } from './run-worker.js';
import type { StepWorker } from './step-worker.js';

/** Bounds a scrape that Redis does not answer: Prometheus gets a 503 rather than a hung request. */
const COUNTS_TIMEOUT_MS = 5_000;

export const QUEUE_JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;

/** The step queues' gauges, one definition for the worker's and the API's /metrics. */
export const STEP_QUEUE_GAUGE = {
  name: 'roma_queue_step_jobs',
  help: 'Task-step jobs on the BullMQ step queues by state (completed kept 1 h, failed 24 h)',
  stalledName: 'roma_queue_step_stalled_recoveries',
  stalledHelp:
    'Step jobs whose worker died, handed on to another worker since the queue began (all workers together)',
};

/** The queue's jobs by state (and, for the step queues, stalled recoveries) as gauges on `registry`. */

export function registerQueueGauge(
  registry: Registry,
  queue: Pick<RunQueue, 'counts'>,
  gauge: { name: string; help: string; stalledName?: string; stalledHelp?: string } = {
    name: 'roma_queue_jobs',
    help: 'Run jobs on the BullMQ queue by state (completed and failed keep the newest 1,000)',
  },
): () => Promise<void> {
  let last: Awaited<ReturnType<RunQueue['counts']>> | undefined;
  new Gauge({
    name: gauge.name,
    help: gauge.help,
    labelNames: ['state'],
    registers: [registry],
    collect() {
      for (const state of QUEUE_JOB_STATES) if (last) this.set({ state }, last[state]);
    },
  });
  if (gauge.stalledName) {
    new Gauge({
      name: gauge.stalledName,
      help: gauge.stalledHelp ?? gauge.stalledName,
      registers: [registry],
      collect() {
        if (last?.stalledRecoveries !== undefined) this.set(last.stalledRecoveries);
      },
    });
  }
  return async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      last = await Promise.race([
        queue.counts(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the queue did not answer in time')), COUNTS_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}

export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

export interface WorkerMetricsOptions {
  host: string;
  port: number;
  /** With queue.steps: this worker's step figures and the step queues' jobs by state. */
  stepWorker?: Pick<StepWorker, 'taken' | 'failed' | 'fromLog' | 'stalledSeen'>;
  stepQueue?: Pick<RunQueue, 'counts'>;
}

function registerStepWorkerGauges(
  registry: Registry,
  stepWorker: NonNullable<WorkerMetricsOptions['stepWorker']>,
): void {
  const figures = [
    ['roma_worker_steps_taken', 'Step jobs this worker has begun since it started', () => stepWorker.taken],
    [
      'roma_worker_steps_failed',
      'Step jobs that failed in this worker (retried ones included)',
      () => stepWorker.failed,
    ],
    [
      'roma_worker_steps_from_log',
      'Step jobs this worker answered from the event log (done before, not redone)',
      () => stepWorker.fromLog,
    ],
    [
      'roma_worker_step_stalled_recoveries',
      'Stalled step jobs (their worker died) this worker has seen handed on since it started',
      () => stepWorker.stalledSeen,
    ],
  ] as const;
  for (const [name, help, read] of figures) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
}

export async function serveWorkerMetrics(
  worker: Pick<RunWorker, 'taken' | 'stalledSeen'>,
  queue: Pick<RunQueue, 'counts'>,
  options: WorkerMetricsOptions,
): Promise<WorkerMetricsServer> {
  const registry = new Registry();
  const refreshRuns = registerQueueGauge(registry, queue);
  const refreshSteps = options.stepQueue
    ? registerQueueGauge(registry, options.stepQueue, STEP_QUEUE_GAUGE)
    : undefined;
  const refreshQueue = async () => {
    await refreshRuns();
    await refreshSteps?.();
  };
  if (options.stepWorker) registerStepWorkerGauges(registry, options.stepWorker);
  new Gauge({
    name: 'roma_worker_runs_taken',
    help: 'Run jobs this worker has taken since it started',
    registers: [registry],
    collect() {
      this.set(worker.taken);
    },
  });
  new Gauge({
    name: 'roma_worker_stalled_recoveries',
    help: 'Stalled run jobs (their worker died) this worker has seen handed on since it started',
    registers: [registry],
    collect() {
      this.set(worker.stalledSeen);
    },
  });
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '/').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    refreshQueue()
      .then(() => registry.metrics())
      .then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) =>
          response
            .writeHead(503, { 'content-type': 'text/plain' })
            .end(`queue counts unavailable: ${error instanceof Error ? error.message : String(error)}\n`),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
