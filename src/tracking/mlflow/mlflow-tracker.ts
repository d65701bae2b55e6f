// Each run as an MLflow run (each task a nested run under it), fed event by event from the run's stored log;
// every call to MLflow goes through a bounded delivery queue, so MLflow never fails or slows the run.
import type { StreamEvent } from '../../contracts/index.js';
import { DeliveryQueue, type DeliveryQueueOptions, type DeliveryStats } from '../delivery-queue.js';
import {
  cacheHitRate,
  createRunFiguresFold,
  type RunFiguresFold,
  tokensKeptOutOfContext,
} from '../run-figures.js';
import {
  MLFLOW_MAX_PARAM_CHARS,
  MLFLOW_MAX_TAG_CHARS,
  MlflowClient,
  type MlflowKeyValue,
  type MlflowMetric,
  type MlflowRunInfo,
  type MlflowRunStatus,
} from './mlflow-client.js';

export const EVENT_LOG_ARTIFACT = 'events.jsonl';
/** Bound on the event log kept for the artifact (beyond it the artifact is cut and tagged so). */
const DEFAULT_MAX_EVENT_LOG_BYTES = 32 * 1024 * 1024;
const DEFAULT_FLUSH_TIMEOUT_MS = 5_000;

interface MlflowTrackerOptions {
  trackingUri: string;
  experimentName: string;
  /** The config profile the run used, recorded as a param. */
  profile?: string | null;
  queue?: DeliveryQueueOptions;
  maxEventLogBytes?: number;
  /** Told about each dropped delivery (the runtime logs it as a warning). */
  onWarning?: (message: string) => void;
}

interface MlflowTracker {
  /** Takes one stored event; returns at once. */
  onEvent(event: StreamEvent): void;
  stats(): DeliveryStats;
  /** The MLflow run id of an execution, once created. */
  runIdOf(executionId: string): string | undefined;
  /** Waits until everything queued is sent (tests and export). */
  idle(): Promise<void>;
  /** Sends what it can within `timeoutMs`, drops (and counts) the rest. */
  close(timeoutMs?: number): Promise<void>;
}

interface TrackedExecution {
  fold: RunFiguresFold;
  run: MlflowRunInfo | null;
  taskRuns: Map<string, MlflowRunInfo>;
  taskStartMs: Map<string, number>;
  eventLog: string[];
  eventLogBytes: number;
  eventLogTruncated: boolean;
}

const END_STATUS: Record<string, MlflowRunStatus> = {
  COMPLETED: 'FINISHED',
  PARTIAL: 'FINISHED',
  FAILED: 'FAILED',
  CANCELLED: 'KILLED',
  STOPPED: 'KILLED',
};

function cut(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

function metric(key: string, value: number, timestamp: number): MlflowMetric {
  return { key, value: Number.isFinite(value) ? value : 0, timestamp, step: 0 };
}

export function createMlflowTracker(options: MlflowTrackerOptions): MlflowTracker {
  const client = new MlflowClient(options.trackingUri);
  const maxEventLogBytes = options.maxEventLogBytes ?? DEFAULT_MAX_EVENT_LOG_BYTES;
  let warnedDrops = 0;
  const queue = new DeliveryQueue({
    ...options.queue,
    onDrop: (label, reason) => {
      warnedDrops += 1;
      // One line per drop would flood the log while MLflow is down; the first, then every 100th.
      if (warnedDrops === 1 || warnedDrops % 100 === 0) {
        options.onWarning?.(`MLflow tracking dropped ${label} (${reason}); ${warnedDrops} dropped so far`);
      }
    },
  });
  const executions = new Map<string, TrackedExecution>();
  let experimentId: string | null = null;
  const finishedRunIds = new Map<string, string>();
  const rememberFinished = (executionId: string, runId: string): void => {
    finishedRunIds.set(executionId, runId);
    if (finishedRunIds.size > 1000) finishedRunIds.delete(finishedRunIds.keys().next().value!);
  };

  const experiment = async (signal: AbortSignal): Promise<string> => {
    experimentId ??= await client.ensureExperiment(options.experimentName, signal);
    return experimentId;
  };

  const tracked = (executionId: string): TrackedExecution => {
    let entry = executions.get(executionId);
    if (!entry) {
      entry = {
        fold: createRunFiguresFold(),
        run: null,
        taskRuns: new Map(),
        taskStartMs: new Map(),
        eventLog: [],
        eventLogBytes: 0,
        eventLogTruncated: false,
      };
      executions.set(executionId, entry);
    }
    return entry;
  };

  const needRun = (entry: TrackedExecution, executionId: string): MlflowRunInfo => {
    if (!entry.run) throw new Error(`no MLflow run for execution ${executionId} (its creation was dropped)`);
    return entry.run;
  };

  const createExecutionRun = (executionId: string, entry: TrackedExecution, event: StreamEvent): void => {
    const startTime = Date.parse(event.timestamp);
    queue.push(`run ${executionId}`, async (signal) => {
      if (entry.run) return;
      const figures = entry.fold.figures;
      const experimentIdValue = await experiment(signal);
      entry.run = await client.createRun(
        {
          experimentId: experimentIdValue,
          runName: cut(figures.goal ?? executionId, 250),
          startTime,
          tags: [
            { key: 'roma.execution_id', value: executionId },
            { key: 'mlflow.source.name', value: 'roma' },
            { key: 'mlflow.source.type', value: 'LOCAL' },
          ],
        },
        signal,
      );
      const params: MlflowKeyValue[] = [
        { key: 'goal', value: cut(figures.goal ?? '', MLFLOW_MAX_PARAM_CHARS) },
        { key: 'model', value: figures.modelId ?? 'default' },
        { key: 'depth', value: figures.maxDepth === null ? 'default' : String(figures.maxDepth) },
        { key: 'profile', value: options.profile ?? 'none' },
      ];
      await client.logBatch(entry.run.runId, { params }, signal);
    });
  };

  const onTaskStart = (
    executionId: string,
    entry: TrackedExecution,
    event: StreamEventOfType<'task-start'>,
  ) => {
    entry.taskStartMs.set(event.taskId, Date.parse(event.timestamp));
    if (entry.taskRuns.has(event.taskId)) return;
    const startTime = Date.parse(event.timestamp);
    queue.push(`task run ${executionId}/${event.taskId}`, async (signal) => {
      if (entry.taskRuns.has(event.taskId)) return;
      const parent = event.parentId ? entry.taskRuns.get(event.parentId) : undefined;
      const parentRun = parent ?? needRun(entry, executionId);
      const run = await client.createRun(
        {
          experimentId: parentRun.experimentId,
          runName: cut(`${event.taskId}: ${event.goal}`, 250),
          startTime,
          tags: [
            { key: 'mlflow.parentRunId', value: parentRun.runId },
            { key: 'roma.execution_id', value: executionId },
            { key: 'roma.task_id', value: event.taskId },
            { key: 'roma.task_type', value: event.taskType },
            { key: 'roma.depth', value: String(event.depth) },
          ],
        },
        signal,
      );
      entry.taskRuns.set(event.taskId, run);
    });
  };

  const onTaskEnd = (executionId: string, entry: TrackedExecution, event: StreamEventOfType<'task-end'>) => {
    const endTime = Date.parse(event.timestamp);
    const durationMs = Math.max(0, endTime - (entry.taskStartMs.get(event.taskId) ?? endTime));
    queue.push(`task end ${executionId}/${event.taskId}`, async (signal) => {
      const run = entry.taskRuns.get(event.taskId);
      if (!run) throw new Error(`no MLflow run for task ${event.taskId} (its creation was dropped)`);
      await client.logBatch(
        run.runId,
        {
          metrics: [
            metric('tokens_input', event.usage.inputTokens, endTime),
            metric('tokens_output', event.usage.outputTokens, endTime),
            metric('cost_usd', event.usage.costUsd, endTime),
            metric('duration_ms', durationMs, endTime),
          ],
          tags: [{ key: 'roma.status', value: event.status }],
        },
        signal,
      );
      await client.updateRun(run.runId, END_STATUS[event.status] ?? 'FINISHED', endTime, signal);
    });
  };

  const onExecutionEnd = (
    executionId: string,
    entry: TrackedExecution,
    event: StreamEventOfType<'execution-end'>,
  ) => {
    const endTime = Date.parse(event.timestamp);
    const figures = entry.fold.figures;
    const totals = figures.totals;
    const metrics = [
      metric('tokens_input', totals.usage.inputTokens, endTime),
      metric('tokens_output', totals.usage.outputTokens, endTime),
      metric('tokens_total', totals.usage.inputTokens + totals.usage.outputTokens, endTime),
      metric('cost_usd', totals.usage.costUsd, endTime),
      metric('tasks', totals.nodes, endTime),
      metric('tasks_completed', totals.completed, endTime),
      metric('tasks_failed', totals.failed, endTime),
      metric('duration_ms', event.durationMs, endTime),
      metric('model_calls', totals.modelCalls, endTime),
      metric('cache_hit_rate', cacheHitRate(figures), endTime),
      metric(
        'tokens_saved_by_cache',
        totals.savedUsage.inputTokens + totals.savedUsage.outputTokens,
        endTime,
      ),
      metric('tool_calls', figures.toolCalls, endTime),
      metric('code_executions', figures.codeExecutions, endTime),
      metric('ptc_tokens_kept_out_of_context', tokensKeptOutOfContext(figures), endTime),
    ];
    const tags: MlflowKeyValue[] = [
      { key: 'roma.status', value: event.status },
      ...(event.reason ? [{ key: 'roma.stop_reason', value: event.reason }] : []),
      ...(event.error
        ? [
            {
              key: 'roma.error',
              value: cut(`${event.error.code}: ${event.error.message}`, MLFLOW_MAX_TAG_CHARS),
            },
          ]
        : []),
      ...(entry.eventLogTruncated ? [{ key: 'roma.event_log_truncated', value: 'true' }] : []),
    ];
    const eventLog = entry.eventLog.join('');
    queue.push(`run metrics ${executionId}`, async (signal) => {
      await client.logBatch(needRun(entry, executionId).runId, { metrics, tags }, signal);
    });
    queue.push(`event log ${executionId}`, async (signal) => {
      await client.uploadArtifact(needRun(entry, executionId), EVENT_LOG_ARTIFACT, eventLog, signal);
    });
    queue.push(`run end ${executionId}`, async (signal) => {
      await client.updateRun(
        needRun(entry, executionId).runId,
        END_STATUS[event.status] ?? 'FINISHED',
        endTime,
        signal,
      );
      // A later resume appends a new segment; it starts from what was delivered.
      entry.eventLog = [];
      entry.eventLogBytes = 0;
    });
    // Forgets the run's state whether or not the deliveries above got through, so a server stays bounded.
    queue.push(`forget ${executionId}`, async () => {
      if (entry.run) rememberFinished(executionId, entry.run.runId);
      executions.delete(executionId);
    });
  };

  return {
    onEvent(event) {
      const entry = tracked(event.executionId);
      entry.fold.apply(event);
      if (!entry.eventLogTruncated) {
        const line = `${JSON.stringify(event)}\n`;
        if (entry.eventLogBytes + line.length > maxEventLogBytes) entry.eventLogTruncated = true;
        else {
          entry.eventLog.push(line);
          entry.eventLogBytes += line.length;
        }
      }
      switch (event.type) {
        case 'execution-start':
        case 'execution-resume':
          if (!entry.run) createExecutionRun(event.executionId, entry, event);
          break;
        case 'task-start':
          onTaskStart(event.executionId, entry, event);
          break;
        case 'task-end':
          onTaskEnd(event.executionId, entry, event);
          break;
        case 'execution-end':
          onExecutionEnd(event.executionId, entry, event);
          break;
        default:
          break;
      }
    },
    stats: () => queue.stats(),
    runIdOf: (executionId) => executions.get(executionId)?.run?.runId ?? finishedRunIds.get(executionId),
    idle: () => queue.idle(),
    close: (timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS) => queue.close(timeoutMs),
  };
}

type StreamEventOfType<T extends StreamEvent['type']> = Extract<StreamEvent, { type: T }>;
