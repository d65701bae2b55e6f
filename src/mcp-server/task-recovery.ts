// Finds a solve task this process did not hand out — one from before a restart of the server — from its run's log.
import type { ExecutionStore } from '../store/index.js';
import type { SolveTaskRecord, SolveTaskRegistry } from './task-registry.js';
import { OWNER_METADATA_KEY, runMetadataOf } from './tenancy.js';

/**
 * Recorded with a solve task's run (in `execution-start`'s metadata, beside its owner): the task's lifetime.
 * Only a run that carries it is a task, so a plain `solve`'s run never becomes one.
 */
export const TASK_TTL_METADATA_KEY = 'mcpTaskTtlMs';

/** Task ids are run ids (UUIDs): anything far longer is not one, and is not looked up. */
const MAX_TASK_ID_LENGTH = 200;

/** Where each recovered task's progress count has read its run's log up to. */
const progressRead = new WeakMap<SolveTaskRecord, number>();

/**
 * The task `taskId` as its run recorded it, when that run was started as a task and the task's lifetime (from
 * the run's start) has not run out; undefined otherwise. Whether the caller may see it is the caller's check.
 */
export async function recoverSolveTask(
  store: ExecutionStore,
  registry: SolveTaskRegistry,
  taskId: string,
): Promise<SolveTaskRecord | undefined> {
  if (taskId.length === 0 || taskId.length > MAX_TASK_ID_LENGTH) return undefined;
  const first = (await store.readEvents(taskId, { limit: 1 }))[0];
  const metadata = runMetadataOf(first);
  const ttlMs = Number(metadata?.[TASK_TTL_METADATA_KEY]);
  if (!first || !Number.isFinite(ttlMs) || ttlMs <= 0) return undefined;
  const createdAtMs = Date.parse(first.timestamp);
  if (!Number.isFinite(createdAtMs) || registry.now() >= createdAtMs + ttlMs) return undefined;
  const owner = metadata?.[OWNER_METADATA_KEY];
  const summary = await store.getExecution(taskId);
  const record: SolveTaskRecord = {
    taskId,
    executionId: taskId,
    owner: typeof owner === 'string' ? owner : null,
    createdAtMs,
    ttlMs,
    progress: { finished: 0, tasks: 0 },
    ended: summary !== null && summary.status !== 'RUNNING',
    cancelRequested: false,
    failure: null,
    recovered: true,
  };
  await refreshRecoveredProgress(store, record);
  return record;
}

/**
 * Counts the tasks a recovered task's run started and finished, reading only what was appended since the last
 * count: nothing in this process hears that run's events (another process runs it, or nobody does).
 */
export async function refreshRecoveredProgress(
  store: ExecutionStore,
  record: SolveTaskRecord,
): Promise<void> {
  if (!record.recovered || record.executionId === null) return;
  const afterSeq = progressRead.get(record) ?? 0;
  const events = await store.readEvents(record.executionId, { afterSeq });
  for (const event of events) {
    if (event.type === 'task-start') record.progress.tasks += 1;
    if (event.type === 'task-end') record.progress.finished += 1;
  }
  const last = events.at(-1);
  if (last) progressRead.set(record, last.seq);
}
