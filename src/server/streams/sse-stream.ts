// The SSE form of a run's stream: `id: <seq>` per event, so EventSource resumes with Last-Event-ID by itself.
import type { StreamEvent } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/index.js';
import type { EventSink } from './event-pump.js';
import { pumpEvents, type StreamClients } from './event-pump.js';
import type { StreamOptions } from './stream-options.js';

const encoder = new TextEncoder();

/** A `text/event-stream` body; it ends when the client goes away (the request's signal) or is dropped. */
export function sseResponse(
  store: ExecutionStore,
  executionId: string,
  afterSeq: number,
  options: StreamOptions,
  clients: StreamClients,
  requestSignal: AbortSignal,
): Response {
  const abort = new AbortController();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let drainWaiters: Array<() => void> = [];
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    abort.abort();
    clearInterval(heartbeat);
    for (const waiter of drainWaiters) waiter();
    drainWaiters = [];
    clients.remove();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const queued = () => Math.max(0, options.maxBufferedBytes - (controller.desiredSize ?? 0));
        const write = (text: string) => {
          if (!closed) controller.enqueue(encoder.encode(text));
        };
        const sink: EventSink = {
          send: (event: StreamEvent) => write(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`),
          bufferedBytes: queued,
          waitForDrain: (timeoutMs) =>
            new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), timeoutMs);
              drainWaiters.push(() => {
                clearTimeout(timer);
                resolve(true);
              });
            }),
          close: (reason) => {
            write(`event: close\ndata: ${JSON.stringify({ reason })}\n\n`);
            if (!closed) controller.close();
            finish();
          },
        };
        requestSignal.addEventListener('abort', finish, { once: true });
        write(`: stream of ${executionId} after seq ${afterSeq}\nretry: 1000\n\n`);
        heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);
        heartbeat.unref?.();
        void pumpEvents(store, executionId, afterSeq, sink, options, abort.signal).then(finish);
      },
      pull(controller) {
        // The client took bytes: wake a paused pump once the queue is below half the bound.
        if ((controller.desiredSize ?? 0) > options.maxBufferedBytes / 2) {
          for (const waiter of drainWaiters) waiter();
          drainWaiters = [];
        }
      },
      cancel() {
        finish();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: options.maxBufferedBytes }),
  );
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
