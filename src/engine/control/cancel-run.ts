// Cancels a stored run from any process: records the request, waits for its runner, or ends it when nobody runs it.

import type { ExecutionStatus, StreamEvent } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/execution-store.js';
import { foldTotals } from '../projection/totals.js';
import type { RunRunner } from './runner-liveness.js';
import { readRunLiveness } from './runner-liveness.js';

export interface CancelRunOptions {
  /** Recorded with the request and in the end event's error. */
  reason?: string;
  /** How long to wait for the running process to end the run itself (default 5000). */
  waitMs?: number;
  /** How often to look at the store while waiting (default 200). */
  pollIntervalMs?: number;
  /** Sees the `execution-end` this call appends when it ends an orphaned run itself. */
  onEvent?: (event: StreamEvent) => void;
}

/**
 * `already-ended`: nothing to do. `cancelled`: its runner ended it within the wait. `ended-here`: nobody was
 * running it (runner gone, or never recorded), so this call appended `execution-end` CANCELLED itself.
 * `requested`: the request is recorded but the runner has not ended it within the wait (it stops at its next
 * check, or it runs on another host).
 */
export type CancelRunOutcome = 'already-ended' | 'cancelled' | 'ended-here' | 'requested';

export interface CancelRunResult {
  executionId: string;
  outcome: CancelRunOutcome;
  /** The stored status after the call. */
  status: ExecutionStatus;
  runner: RunRunner | null;
  /** One line for a person. */
  message: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function cancelStoredRun(
  store: ExecutionStore,
  executionId: string,
  options: CancelRunOptions = {},
): Promise<CancelRunResult> {
  const reason = options.reason ?? 'cancelled by request';
  const waitMs = Math.max(0, options.waitMs ?? 5_000);
  const pollIntervalMs = Math.max(10, options.pollIntervalMs ?? 200);
  const before = await readRunLiveness(store, executionId);
  const { runner } = before;
  if (before.status !== 'RUNNING') {
    return {
      executionId,
      outcome: 'already-ended',
      status: before.status,
      runner,
      message: `run ${executionId} already ended: ${before.status}`,
    };
  }
  await store.append({
    type: 'execution-cancel-requested',
    executionId,
    timestamp: new Date().toISOString(),
    reason,
  });
  if (!before.orphaned) {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      const now = await store.getExecution(executionId);
      if (now && now.status !== 'RUNNING') {
        return {
          executionId,
          outcome: 'cancelled',
          status: now.status,
          runner,
          message: `run ${executionId} cancelled (${now.status})`,
        };
      }
      await sleep(Math.min(pollIntervalMs, Math.max(0, deadline - Date.now())));
    }
    if (runner !== null) {
      const where =
        before.liveness === 'alive'
          ? `process ${runner.pid} has not ended run ${executionId} yet`
          : `the process running ${executionId} on ${runner.hostname ?? 'another host'} stops at its next check`;
      return {
        executionId,
        outcome: 'requested',
        status: 'RUNNING',
        runner,
        message: `cancel requested; ${where}`,
      };
    }
    // No process ever recorded itself (it died while starting): nobody will notice the request.
  }
  const log = await store.readEvents(executionId);
  const totals = foldTotals(log);
  let ended: StreamEvent;
  try {
    // Only onto the log just read: a resumer that took the run over meanwhile must not be ended from here.
    ended = await store.append(
      {
        type: 'execution-end',
        executionId,
        timestamp: new Date().toISOString(),
        status: 'CANCELLED',
        reason: 'cancelled',
        result: null,
        error: { code: 'CANCELLED', message: `cancelled while no process was running it: ${reason}` },
        usage: totals.usage,
        nodeCount: totals.nodes,
        durationMs: 0,
      },
      { ifLastSeq: log.at(-1)?.seq ?? 0 },
    );
  } catch (error) {
    // A store that refuses appends after the run's end (someone else ended it meanwhile) is not a failure here.
    const now = await store.getExecution(executionId);
    if (now?.status === 'RUNNING' && error instanceof RomaError && error.code === 'CONFLICT') {
      return {
        executionId,
        outcome: 'requested',
        status: 'RUNNING',
        runner,
        message: `run ${executionId} was taken over by another process meanwhile; cancel it again to stop that one`,
      };
    }
    if (now && now.status !== 'RUNNING') {
      return {
        executionId,
        outcome: 'cancelled',
        status: now.status,
        runner,
        message: `run ${executionId} cancelled (${now.status})`,
      };
    }
    throw error instanceof RomaError ? error : new RomaError('STORE_FAILED', String(error));
  }
  options.onEvent?.(ended);
  return {
    executionId,
    outcome: 'ended-here',
    status: 'CANCELLED',
    runner,
    message: `run ${executionId} cancelled (no process was running it)`,
  };
}
