// `roma worker --metrics-port`: Prometheus text of the queue (jobs by state) and of this worker (runs taken, stalls).
import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import type { RunQueue } from './run-queue.js';
import type { RunWorker } from './run-worker.js';

/** Bounds a scrape that Redis does not answer: Prometheus gets a 503 rather than a hung request. */
const COUNTS_TIMEOUT_MS = 5_000;

export const QUEUE_JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;

/** The queue's jobs by state, as a gauge on `registry` (shared with the API's /metrics). */
export function registerQueueGauge(registry: Registry, queue: Pick<RunQueue, 'counts'>): () => Promise<void> {
  let last: Awaited<ReturnType<RunQueue['counts']>> | undefined;
  new Gauge({
    name: 'roma_queue_jobs',
    help: 'Run jobs on the BullMQ queue by state (completed and failed keep the newest 1,000)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      for (const state of QUEUE_JOB_STATES) if (last) this.set({ state }, last[state]);
    },
  });
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

export async function serveWorkerMetrics(
  worker: Pick<RunWorker, 'taken' | 'stalledSeen'>,
  queue: Pick<RunQueue, 'counts'>,
  options: { host: string; port: number },
): Promise<WorkerMetricsServer> {
  const registry = new Registry();
  const refreshQueue = registerQueueGauge(registry, queue);
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
