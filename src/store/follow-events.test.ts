// A follower reads once for every notification its read covered: a notified seq it has read already (its own
// commit heard back from another process's watcher, a commit landed during its read) costs no further read; and
// while the store hears other processes' commits it does not poll.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StreamEvent } from '../contracts/index.js';
import { AppendNotifier, followEvents } from './follow-events.js';
import { warningEvent } from './testing/test-events.js';

const RUN = 'run-follow';

/** A log in memory whose reads are counted, and can be held in flight until `release()`. */
function countingLog() {
  const events: StreamEvent[] = [];
  let held: { release: () => void } | undefined;
  const log = {
    reads: 0,
    notifier: new AppendNotifier(),
    closedSignal: new AbortController().signal,
    exists: async () => true,
    async readEvents(_id: string, options: { afterSeq?: number } = {}): Promise<StreamEvent[]> {
      log.reads += 1;
      if (held) await new Promise<void>((resolve) => (held!.release = resolve));
      return events.filter((event) => event.seq > (options.afterSeq ?? 0));
    },
    append(message: string): number {
      const seq = events.length + 1;
      events.push({ ...warningEvent(RUN, message), seq } as StreamEvent);
      return seq;
    },
    /** The next read waits until `release()` is called. */
    holdNextRead(): { release: () => void } {
      held = { release: () => undefined };
      const handle = held;
      return {
        release: () => {
          held = undefined;
          handle.release();
        },
      };
    },
  };
  return log;
}

describe('followEvents: one read per notification it covers', () => {
  it('skips a notification naming a seq it has read, and reads for one past it', async () => {
    const log = countingLog();
    log.append('first');
    const follow = followEvents(log, RUN, { pollIntervalMs: 60_000 })[Symbol.asyncIterator]();
    expect((await follow.next()).value?.seq).toBe(1);
    const second = follow.next();
    // Seq 1 again (this process's own commit heard back through the watcher): nothing new to read.
    log.notifier.notify(RUN, 1);
    // A turn of the event loop, in which a follower woken by it would read.
    await new Promise((resolve) => setImmediate(resolve));
    const seq = log.append('second');
    log.notifier.notify(RUN, seq);
    expect((await second).value?.seq).toBe(2);
    const third = follow.next();
    log.notifier.notify(RUN, log.append('third'));
    expect((await third).value?.seq).toBe(3);
    // The first read, then one for each new seq.
    expect(log.reads).toBe(3);
    await follow.return?.();
  });

  it('does not read again for a commit that landed during a read which returned it', async () => {
    const log = countingLog();
    log.append('first');
    const follow = followEvents(log, RUN, { pollIntervalMs: 60_000 })[Symbol.asyncIterator]();
    expect((await follow.next()).value?.seq).toBe(1);
    const next = follow.next();
    const read = log.holdNextRead();
    log.notifier.notify(RUN, log.append('second'));
    await vi.waitFor(() => expect(log.reads).toBe(2));
    // While that read is in flight, the third commit lands and is notified: the read returns it too.
    log.notifier.notify(RUN, log.append('third'));
    read.release();
    expect((await next).value?.seq).toBe(2);
    expect((await follow.next()).value?.seq).toBe(3);
    const fourth = follow.next();
    log.notifier.notify(RUN, log.append('fourth'));
    expect((await fourth).value?.seq).toBe(4);
    expect(log.reads).toBe(3);

    // Positive control: a notification that cannot tell the seq is always read for.
    const fifth = follow.next();
    log.append('fifth');
    log.notifier.notify(RUN);
    expect((await fifth).value?.seq).toBe(5);
    expect(log.reads).toBe(4);
    await follow.return?.();
  });
});

describe('followEvents: polling only while other processes cannot be heard', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  async function readsOverOneSecond(hears: boolean): Promise<number> {
    vi.useFakeTimers();
    const log = Object.assign(countingLog(), { hearsOtherProcesses: () => hears });
    log.append('first');
    const follow = followEvents(log, RUN, { pollIntervalMs: 50 })[Symbol.asyncIterator]();
    expect((await follow.next()).value?.seq).toBe(1);
    const pending = follow.next();
    await vi.advanceTimersByTimeAsync(1_000);
    const reads = log.reads;
    log.notifier.notify(RUN, log.append('second'));
    expect((await pending).value?.seq).toBe(2);
    await follow.return?.();
    return reads;
  }

  it('reads only when woken (or at the 2 s backstop) while the store hears other processes', async () => {
    expect(await readsOverOneSecond(true)).toBe(1);
  });

  it('polls every interval while it does not (the positive control)', async () => {
    expect(await readsOverOneSecond(false)).toBeGreaterThanOrEqual(10);
  });
});
