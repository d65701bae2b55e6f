// Run control when runs are BullMQ jobs: start and resume enqueue; the handle follows the run in the shared store.
import type { StreamEvent } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import type {
  EngineDependencies,
  ExecutionHandle,
  ExecutionOutcome,
  ResumeOptions,
  RunControl,
  SolveRequest,
} from '../engine/index.js';
import { EventBus, foldTotals, newExecutionId } from '../engine/index.js';
import type { RunQueue } from './run-queue.js';

const APPEAR_POLL_MS = 100;

export interface QueuedRunControlOptions {
  /** The in-process control over the shared store: cancel, follow, liveness, get and list go to it. */
  inner: RunControl;
  queue: RunQueue;
  /** How long to wait for a worker to begin a queued run before the handle fails with TIMEOUT. */
  startTimeoutMs: number;
}

function outcomeOf(executionId: string, events: readonly StreamEvent[], startedAt: number): ExecutionOutcome {
  const totals = foldTotals(events);
  const status = totals.status && totals.status !== 'RUNNING' ? totals.status : 'FAILED';
  return {
    executionId,
    status,
    reason: totals.reason,
    result: totals.result,
    error: totals.error,
    usage: totals.usage,
    nodeCount: totals.nodes,
    durationMs: Date.now() - startedAt,
  };
}

/** A handle on a run some worker executes: events and the ending come from the shared store. */
function followHandle(
  control: QueuedRunControlOptions,
  executionId: string,
  observer: { signal?: AbortSignal; onEvent?: (event: StreamEvent) => void },
  /** True once the stored log shows a worker has begun (for a resume: appended past the old end). */
  begun: (lastSeq: number) => boolean,
  /** Events up to this seq were there before this call: folded into the outcome, not reported as new. */
  oldThrough: () => number,
): ExecutionHandle {
  const startedAt = Date.now();
  const bus = new EventBus();
  const stop = new AbortController();
  let begunYet = false;
  const cancel = (message?: string) => {
    // Before a worker began it, stop waiting too: the job is withdrawn and the run never starts.
    if (!begunYet) stop.abort();
    void control.inner
      .cancel(executionId, { reason: message ?? 'cancelled', waitMs: 0 })
      .catch(async (error: unknown) => {
        // Not begun yet: take the job back so no worker starts it.
        if (error instanceof RomaError && error.code === 'NOT_FOUND')
          await control.queue.withdraw(executionId);
      });
  };
  observer.signal?.addEventListener('abort', () => cancel('cancelled by the caller'), { once: true });
  const done = (async () => {
    const deadline = Date.now() + control.startTimeoutMs;
    for (;;) {
      const summary = await control.inner.get(executionId);
      if (summary && begun(summary.lastSeq)) {
        begunYet = true;
        break;
      }
      if (stop.signal.aborted)
        throw new RomaError('CANCELLED', `run ${executionId} was withdrawn from the queue`);
      if (Date.now() > deadline) {
        throw new RomaError(
          'TIMEOUT',
          `no worker began run ${executionId} within ${control.startTimeoutMs} ms`,
          {
            field: 'queue.startTimeoutMs',
            fix: 'start workers with `roma worker` (same REDIS_URL, queue.prefix and store), or raise queue.startTimeoutMs',
            retryable: true,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, APPEAR_POLL_MS));
    }
    const seen: StreamEvent[] = [];
    const old = oldThrough();
    for (;;) {
      const follow = control.inner.follow(executionId, {
        afterSeq: seen.at(-1)?.seq ?? 0,
        signal: stop.signal,
      });
      for await (const event of follow) {
        seen.push(event);
        if (event.seq <= old) continue;
        observer.onEvent?.(event);
        bus.publish(event);
      }
      if (follow.end?.kind !== 'runner-gone') break;
      // Its worker died: the stalled job goes to another worker, which resumes the run. Wait for its first append.
      const lastSeq = seen.at(-1)?.seq ?? 0;
      const waitUntil = Date.now() + control.startTimeoutMs;
      for (;;) {
        const summary = await control.inner.get(executionId);
        if ((summary?.lastSeq ?? 0) > lastSeq || stop.signal.aborted) break;
        if (Date.now() > waitUntil) {
          throw new RomaError(
            'TIMEOUT',
            `run ${executionId} lost its worker and none resumed it in ${control.startTimeoutMs} ms`,
            {
              field: 'queue.startTimeoutMs',
              fix: `start a worker (roma worker), or resume it: roma runs resume ${executionId}`,
              retryable: true,
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, APPEAR_POLL_MS));
      }
    }
    bus.close();
    return outcomeOf(executionId, seen, startedAt);
  })();
  done.catch(() => bus.close());
  return {
    executionId,
    events: (options) => bus.stream(options),
    cancel,
    done,
  };
}

/** Runs go to the queue; everything that reads or stops them works on the shared store, as in process. */
export function createQueuedRunControl(options: QueuedRunControlOptions): RunControl {
  const { inner, queue } = options;
  return {
    ...inner,
    start: (request: SolveRequest, extra: Partial<EngineDependencies> = {}) => {
      const executionId = request.executionId ?? newExecutionId();
      const enqueued = queue.enqueue({
        kind: 'start',
        executionId,
        goal: request.goal,
        ...(request.modelId ? { modelId: request.modelId } : {}),
        ...(request.metadata ? { metadata: request.metadata } : {}),
        ...(extra.config ? { engineConfig: extra.config as unknown as Record<string, unknown> } : {}),
      });
      const handle = followHandle(
        options,
        executionId,
        request,
        (lastSeq) => lastSeq > 0,
        () => 0,
      );
      return { ...handle, done: enqueued.then(() => handle.done) };
    },
    resume: (executionId: string, resumeOptions: ResumeOptions = {}) => {
      const enqueued = (async () => {
        const summary = await inner.get(executionId);
        if (!summary)
          throw new RomaError('NOT_FOUND', `no run ${executionId} in the store`, { field: 'executionId' });
        await queue.enqueue({ kind: 'resume', executionId });
        return summary.lastSeq;
      })();
      let lastSeqAtResume = Number.POSITIVE_INFINITY;
      enqueued.then(
        (lastSeq) => {
          lastSeqAtResume = lastSeq;
        },
        () => undefined,
      );
      const handle = followHandle(
        options,
        executionId,
        resumeOptions,
        (lastSeq) => lastSeq > lastSeqAtResume,
        () => lastSeqAtResume,
      );
      return { ...handle, done: enqueued.then(() => handle.done) };
    },
  };
}
