// Follows a run's stored log live from any process: events after a seq, in order, until the run ends.
import type { StreamEvent } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/execution-store.js';
import type { RunRunner } from './runner-liveness.js';
import { readRunLiveness } from './runner-liveness.js';

export interface FollowRunOptions {
  /** Only events with `seq > afterSeq` (0: the whole log). */
  afterSeq?: number;
  signal?: AbortSignal;
  /** How often to poll for appends by other processes (default 200). */
  pollIntervalMs?: number;
  /** How often to check that the runner still lives (default 2000; 0 never). */
  livenessIntervalMs?: number;
}

/**
 * How the follow ended. `ended`: it yielded the run's last `execution-end`. `runner-gone`: the process running
 * it died without ending it (it stays RUNNING until resumed or cancelled). `aborted`: the caller's signal.
 */
export type FollowEnd = { kind: 'ended' } | { kind: 'runner-gone'; runner: RunRunner } | { kind: 'aborted' };

export interface RunFollow extends AsyncIterable<StreamEvent> {
  /** Set once iteration stops; null while it runs. */
  readonly end: FollowEnd | null;
}

/**
 * An `execution-end` ends the follow only when nothing follows it in the log: a cancelled run that was resumed
 * since goes on to its next end. A run already ended is yielded whole, then the iteration stops.
 */
export function followRun(
  store: ExecutionStore,
  executionId: string,
  options: FollowRunOptions = {},
): RunFollow {
  let end: FollowEnd | null = null;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const livenessIntervalMs = options.livenessIntervalMs ?? 2_000;
  async function* iterate(): AsyncGenerator<StreamEvent, void, undefined> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) controller.abort();
    const seen: { gone: RunRunner | null; cursor: number } = { gone: null, cursor: options.afterSeq ?? 0 };
    const checkRunner = async () => {
      const liveness = await readRunLiveness(store, executionId);
      if (liveness.orphaned && liveness.runner) {
        seen.gone = liveness.runner;
        controller.abort();
      }
    };
    const timer =
      livenessIntervalMs > 0
        ? setInterval(() => {
            checkRunner().catch(() => undefined);
          }, livenessIntervalMs)
        : undefined;
    timer?.unref?.();
    try {
      await checkRunner();
      // An orphan's log is read whole: following it would wait for appends nobody will make.
      if (seen.gone === null) {
        for await (const event of store.follow(executionId, {
          afterSeq: seen.cursor,
          signal: controller.signal,
          pollIntervalMs,
        })) {
          seen.cursor = event.seq;
          yield event;
          if (event.type === 'execution-end') {
            const later = await store.readEvents(executionId, { afterSeq: event.seq, limit: 1 });
            if (later.length === 0) {
              end = { kind: 'ended' };
              return;
            }
          }
        }
      }
      if (seen.gone !== null) {
        // What the runner stored before it died, then stop: nobody will append until a resume.
        for (const event of await store.readEvents(executionId, { afterSeq: seen.cursor })) yield event;
        end = { kind: 'runner-gone', runner: seen.gone };
        return;
      }
      end = { kind: 'aborted' };
    } finally {
      if (timer) clearInterval(timer);
      options.signal?.removeEventListener('abort', onAbort);
      end ??= { kind: 'aborted' };
    }
  }
  return {
    get end() {
      return end;
    },
    [Symbol.asyncIterator]: () => iterate(),
  };
}
