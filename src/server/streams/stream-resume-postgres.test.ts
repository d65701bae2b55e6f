// The cross-process stream test on PostgreSQL: `roma demo` runs in a child process on a database of its own, and
// this process's API server streams it over WebSocket and SSE, woken by LISTEN/NOTIFY; each client drops mid-run,
// resumes after the last seq it got, and ends with every stored event exactly once, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresExecutionStore } from '../../store/index.js';
import {
  expectEveryEventOnce,
  openStreamServer,
  type StreamServerBed,
  streamChildRunWithDrops,
} from './stream-test-support.js';

let bed: StreamServerBed;

beforeAll(async () => {
  // A poll far slower than the run: the live events of a leg come from the child's NOTIFYs.
  bed = await openStreamServer({ postgres: true, pollIntervalMs: 10_000 });
}, 60_000);
afterAll(() => bed?.close(), 60_000);

describe('streams across processes on PostgreSQL', { timeout: 120_000 }, () => {
  it('WebSocket and SSE clients drop mid-run, resume after their last seq, and get the stored log exactly once', async () => {
    expect(bed.runtime.store).toBeInstanceOf(PostgresExecutionStore);
    const streams = await streamChildRunWithDrops(bed);
    expectEveryEventOnce(streams);
    // The followers listened: NOTIFY, not the 10 s poll, woke them.
    expect((bed.runtime.store as PostgresExecutionStore).listening).toBe(true);
  });
});
