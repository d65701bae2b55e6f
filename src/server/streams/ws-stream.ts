// The WebSocket form of a run's stream: one JSON event per text frame; pings as heartbeats.
import type { WebSocket } from 'ws';
import type { StreamEvent } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/index.js';
import type { EventSink } from './event-pump.js';
import { pumpEvents, type StreamClients } from './event-pump.js';
import type { StreamOptions } from './stream-options.js';

/** Close code for a client dropped for reading too slowly (private-use range 4000–4999). */
export const CLOSE_SLOW_CLIENT = 4008;
const CLOSE_STORE_FAILED = 4011;
/** WebSocket close reasons are limited to 123 bytes. */
const MAX_CLOSE_REASON_BYTES = 123;

function clipReason(reason: string): string {
  let clipped = reason;
  while (Buffer.byteLength(clipped) > MAX_CLOSE_REASON_BYTES) clipped = clipped.slice(0, -1);
  return clipped;
}

export function serveWebSocketStream(
  socket: WebSocket,
  store: ExecutionStore,
  executionId: string,
  afterSeq: number,
  options: StreamOptions,
  clients: StreamClients,
): void {
  const abort = new AbortController();
  let alive = true;
  let missedPongs = 0;
  const heartbeat = setInterval(() => {
    if (missedPongs >= 2) {
      socket.terminate();
      return;
    }
    missedPongs += 1;
    socket.ping();
  }, options.heartbeatMs);
  heartbeat.unref?.();
  const finish = () => {
    if (!alive) return;
    alive = false;
    clearInterval(heartbeat);
    abort.abort();
    clients.remove();
  };
  socket.on('pong', () => {
    missedPongs = 0;
  });
  socket.on('close', finish);
  socket.on('error', finish);
  // Clients only listen; anything they send is ignored (the server's maxPayload bounds it).
  socket.on('message', () => undefined);

  const sink: EventSink = {
    send: (event: StreamEvent) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    },
    bufferedBytes: () => socket.bufferedAmount,
    waitForDrain: (timeoutMs) =>
      new Promise<boolean>((resolve) => {
        const deadline = Date.now() + timeoutMs;
        const check = () => {
          if (!alive) return resolve(true);
          if (socket.bufferedAmount <= options.maxBufferedBytes / 2) return resolve(true);
          if (Date.now() >= deadline) return resolve(false);
          setTimeout(check, 10);
        };
        check();
      }),
    close: (reason) => {
      const code = reason.startsWith('client too slow') ? CLOSE_SLOW_CLIENT : CLOSE_STORE_FAILED;
      socket.close(code, clipReason(reason));
      // A client that does not answer the close handshake is cut off, so its buffer is released.
      setTimeout(() => socket.terminate(), 2_000).unref?.();
      finish();
    },
  };
  void pumpEvents(store, executionId, afterSeq, sink, options, abort.signal).then((end) => {
    if (end === 'aborted') finish();
  });
}
