// A run executing in another process (`roma demo`), streamed from this one over WebSocket and SSE: each client
// drops mid-run, reconnects after the last seq it got, and ends with every stored event exactly once, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BEARER_SUBPROTOCOL_PREFIX } from '../security/index.js';
import {
  expectEveryEventOnce,
  openStreamServer,
  type StreamServerBed,
  streamChildRunWithDrops,
} from './stream-test-support.js';

let bed: StreamServerBed;

// Only the stores in this process: the run itself executes in the child.
beforeAll(async () => {
  bed = await openStreamServer({ pollIntervalMs: 50 });
});
afterAll(() => bed?.close());

describe('streams across processes', { timeout: 120_000 }, () => {
  it('WebSocket and SSE clients drop mid-run, resume after their last seq, and get the stored log exactly once', async () => {
    expectEveryEventOnce(await streamChildRunWithDrops(bed));
  });

  it('refuses a stream of an unknown run (404) and without a key (401), before upgrading', async () => {
    const refused = (url: string, protocols: string[]) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url, protocols);
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('open', () => resolve(101));
        socket.on('error', () => undefined);
      });
    const base = bed.server.url.replace('http', 'ws');
    expect(
      await refused(`${base}/api/v1/executions/run-nope/stream`, [
        'roma.v1',
        `${BEARER_SUBPROTOCOL_PREFIX}${bed.key}`,
      ]),
    ).toBe(404);
    const [run] = await bed.runtime.store.listExecutions({ limit: 1 });
    expect(await refused(`${base}/api/v1/executions/${run!.id}/stream`, ['roma.v1'])).toBe(401);
    expect(
      await refused(`${base}/api/v1/executions/${run!.id}/stream`, [
        'roma.v1',
        `${BEARER_SUBPROTOCOL_PREFIX}${bed.key}`,
      ]),
    ).toBe(101);
  });
});
