// Live tail of an execution's log: catch up from a seq, then wake on appends (in-process, or seen by the store's
// watcher of other processes) or a bounded poll.
import type { StreamEvent } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import type { FollowOptions, ReadEventsOptions } from './execution-store.js';

const DEFAULT_POLL_INTERVAL_MS = 250;
const FOLLOW_BATCH_SIZE = 500;
/** A follower whose store watches other processes' appends re-reads on its own only this rarely, as a backstop. */
const WATCHED_BACKSTOP_MS = 2_000;

/** The log of the execution reaches `lastSeq` (undefined when the notifier cannot tell). */
type AppendListener = (lastSeq: number | undefined) => void;

/** Wakes followers when an append is committed through the same store object (no polling delay). */
export class AppendNotifier {
  readonly #listeners = new Map<string, Set<AppendListener>>();

  subscribe(executionId: string, listener: AppendListener): () => void {
    let listeners = this.#listeners.get(executionId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(executionId, listeners);
    }
    listeners.add(listener);
    return () => {
      const current = this.#listeners.get(executionId);
      current?.delete(listener);
      if (current?.size === 0) this.#listeners.delete(executionId);
    };
  }

  /** `lastSeq`, when known, lets a follower that has already read that far skip the read. */
  notify(executionId: string, lastSeq?: number): void {
    for (const listener of this.#listeners.get(executionId) ?? []) listener(lastSeq);
  }

  /** Every follower reads once: commits made while the store could not hear other processes went unheard. */
  notifyAll(): void {
    for (const listeners of [...this.#listeners.values()])
      for (const listener of [...listeners]) listener(undefined);
  }
}

interface FollowSource {
  readEvents(executionId: string, options?: ReadEventsOptions): Promise<StreamEvent[]>;
  exists(executionId: string): Promise<boolean>;
  notifier: AppendNotifier;
  /** Aborted when the store closes, so followers end instead of reading a closed store. */
  closedSignal: AbortSignal;
  /**
   * The store's shared watch of appends by other processes, waking `notifier` within `pollIntervalMs`; returns
   * the release. Without it every follower polls its log itself.
   */
  watchAppends?: (executionId: string, pollIntervalMs: number) => () => void;
  /**
   * True while other processes' commits wake `notifier` (PostgreSQL's LISTEN connection is up, and calls
   * `notifyAll` each time it comes back): a follower then reads on its own only as a rare backstop.
   */
  hearsOtherProcesses?: () => boolean;
}

export async function* followEvents(
  source: FollowSource,
  executionId: string,
  options: FollowOptions = {},
): AsyncGenerator<StreamEvent, void, undefined> {
  const signals = [options.signal, source.closedSignal].filter((signal) => signal !== undefined);
  const stopped = () => signals.some((signal) => signal.aborted);
  const pollIntervalMs = Math.max(1, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  if (stopped()) return;
  if (!(await source.exists(executionId))) {
    throw new RomaError('NOT_FOUND', `execution ${executionId} does not exist`, {
      field: 'executionId',
      fix: 'list runs with `roma runs list`',
    });
  }

  let cursor = options.afterSeq ?? 0;
  // What notifications said since the last read began: the highest seq they named, or that one could not tell
  // (then only a read can). One read serves every notification it covers: those that arrive while it is in
  // flight (another process's commit, or this process's own heard back through the store's watcher) are read
  // again only when they name a seq past what it returned.
  let notifiedSeq = 0;
  let notifiedUnknown = false;
  const behind = () => notifiedUnknown || notifiedSeq > cursor;
  let wake: (() => void) | undefined;
  const unsubscribe = source.notifier.subscribe(executionId, (lastSeq) => {
    if (lastSeq === undefined) notifiedUnknown = true;
    else if (lastSeq > notifiedSeq) notifiedSeq = lastSeq;
    if (behind()) wake?.();
  });
  // Watched before the first read, so no commit of another process falls between the read and the watch.
  const unwatch = source.watchAppends?.(executionId, pollIntervalMs);
  const backstopMs = Math.max(pollIntervalMs, WATCHED_BACKSTOP_MS);
  // Decided at each wait: one begun while nothing heard other processes polls, so a commit made before the
  // LISTEN came up is read within the poll interval.
  const waitMs = () => (unwatch || source.hearsOtherProcesses?.() ? backstopMs : pollIntervalMs);
  try {
    while (!stopped()) {
      notifiedUnknown = false;
      let batch: StreamEvent[];
      try {
        batch = await source.readEvents(executionId, { afterSeq: cursor, limit: FOLLOW_BATCH_SIZE });
      } catch (error) {
        // A store closed under a follower ends the stream; any other failure is the consumer's to see.
        if (stopped()) return;
        throw error;
      }
      for (const event of batch) {
        if (stopped()) return;
        cursor = event.seq;
        yield event;
        if (options.untilExecutionEnd && event.type === 'execution-end') return;
      }
      if (batch.length === FOLLOW_BATCH_SIZE || behind()) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          for (const signal of signals) signal.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, waitMs());
        for (const signal of signals) signal.addEventListener('abort', done, { once: true });
        wake = done;
        if (stopped() || behind()) done();
      });
    }
  } finally {
    unwatch?.();
    unsubscribe();
  }
}
