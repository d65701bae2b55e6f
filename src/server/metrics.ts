// GET /metrics: Prometheus text from the store (every process's runs) and this server's stream clients.
import { Gauge, Registry } from 'prom-client';
import type { ExecutionSummary, StreamEvent } from '../contracts/index.js';
import { EXECUTION_STATUSES } from '../contracts/index.js';
import { type RunQueueCounts, registerQueueGauge, STEP_QUEUE_GAUGE } from '../queue/index.js';
import type { ExecutionStore } from '../store/index.js';
import type { TrackingStats } from '../tracking/index.js';

/** Runs looked at per scrape (newest first): bounds the work of a scrape on a big store. */
const MAX_RUNS_SCANNED = 1_000;
const READ_BATCH = 2_000;

interface RunCounts {
  lastSeq: number;
  modelCalls: number;
  cacheHits: number;
  sandboxRuns: number;
  toolCalls: number;
}

function countEvent(counts: RunCounts, event: StreamEvent): void {
  counts.lastSeq = event.seq;
  if (event.type === 'llm-call') {
    counts.modelCalls += 1;
    if (event.cacheHit) counts.cacheHits += 1;
  } else if (event.type === 'code-execution-start') counts.sandboxRuns += 1;
  else if (event.type === 'tool-call') counts.toolCalls += 1;
}

interface ApiMetrics {
  registry: Registry;
  render(): Promise<{ contentType: string; text: string }>;
}

/** Where the figures beyond the store's come from; each optional source adds its metrics only when present. */
export interface ApiMetricsSources {
  streamClients: () => number;
  trackingStats?: (() => TrackingStats) | undefined;
  /** Run jobs on the BullMQ run queue by state. */
  queueCounts?: (() => Promise<RunQueueCounts>) | undefined;
  /** Task-step jobs on the BullMQ step queues by state (`queue.steps`). */
  stepQueueCounts?: (() => Promise<RunQueueCounts>) | undefined;
}

export function createApiMetrics(store: ExecutionStore, sources: ApiMetricsSources): ApiMetrics {
  const { streamClients, trackingStats, queueCounts, stepQueueCounts } = sources;
  const registry = new Registry();
  // Per-run counts are kept between scrapes, so each scrape reads only the events appended since the last.
  const counted = new Map<string, RunCounts>();
  let runs: ExecutionSummary[] = [];
  const totals = { modelCalls: 0, cacheHits: 0, sandboxRuns: 0, toolCalls: 0 };

  const refresh = async () => {
    runs = await store.listExecutions({ limit: MAX_RUNS_SCANNED });
    const seen = new Set<string>();
    Object.assign(totals, { modelCalls: 0, cacheHits: 0, sandboxRuns: 0, toolCalls: 0 });
    for (const run of runs) {
      seen.add(run.id);
      let counts = counted.get(run.id);
      if (!counts) {
        counts = { lastSeq: 0, modelCalls: 0, cacheHits: 0, sandboxRuns: 0, toolCalls: 0 };
        counted.set(run.id, counts);
      }
      while (counts.lastSeq < run.lastSeq) {
        const batch = await store.readEvents(run.id, { afterSeq: counts.lastSeq, limit: READ_BATCH });
        if (batch.length === 0) break;
        for (const event of batch) countEvent(counts, event);
      }
      totals.modelCalls += counts.modelCalls;
      totals.cacheHits += counts.cacheHits;
      totals.sandboxRuns += counts.sandboxRuns;
      totals.toolCalls += counts.toolCalls;
    }
    for (const id of counted.keys()) if (!seen.has(id)) counted.delete(id);
  };

  const runsByStatus = new Gauge({
    name: 'roma_runs',
    help: `Runs in the store by status (the newest ${MAX_RUNS_SCANNED})`,
    labelNames: ['status'],
    registers: [registry],
    collect() {
      for (const status of EXECUTION_STATUSES) {
        this.set({ status }, runs.filter((run) => run.status === status).length);
      }
    },
  });
  const sum = (pick: (run: ExecutionSummary) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const simple = (name: string, help: string, value: () => number, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  simple('roma_tasks', 'Tasks of the scanned runs', () => sum((run) => run.nodeCount));
  simple('roma_model_calls', 'Model calls of the scanned runs', () => totals.modelCalls);
  simple('roma_cache_hits', 'Model calls answered from the LLM-response cache', () => totals.cacheHits);
  simple('roma_sandbox_runs', 'Programs run in a sandbox', () => totals.sandboxRuns);
  simple('roma_tool_calls', 'MCP tool calls made by sandboxed programs', () => totals.toolCalls);
  simple('roma_cost_usd', 'Model cost of the scanned runs, USD', () => sum((run) => run.usage.costUsd));
  simple('roma_stream_clients', 'Live WebSocket and SSE clients of this server', streamClients);
  const tokens = new Gauge({
    name: 'roma_tokens',
    help: 'Tokens of the scanned runs by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.set(
        { kind: 'input' },
        sum((run) => run.usage.inputTokens),
      );
      this.set(
        { kind: 'output' },
        sum((run) => run.usage.outputTokens),
      );
      this.set(
        { kind: 'cached_input' },
        sum((run) => run.usage.cachedInputTokens),
      );
    },
  });
  // MLflow tracking never fails a run: what it could not deliver is dropped and counted here.
  const mlflowDeliveries = new Gauge({
    name: 'roma_tracking_mlflow_deliveries',
    help: 'MLflow deliveries of this process by outcome (dropped: gave up after retries, queue full or closed)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const stats = trackingStats?.().mlflow;
      if (!stats) return;
      for (const outcome of ['queued', 'delivered', 'retried', 'dropped'] as const)
        this.set({ outcome }, stats[outcome]);
    },
  });
  void runsByStatus;
  void tokens;
  void mlflowDeliveries;
  const refreshQueue = queueCounts ? registerQueueGauge(registry, { counts: queueCounts }) : undefined;
  const refreshStepQueue = stepQueueCounts
    ? registerQueueGauge(registry, { counts: stepQueueCounts }, STEP_QUEUE_GAUGE)
    : undefined;

  return {
    registry,
    render: async () => {
      await refresh();
      // Redis down is not a reason to lose the store's figures: the queue gauge keeps its last values.
      await refreshQueue?.().catch(() => undefined);
      await refreshStepQueue?.().catch(() => undefined);
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
