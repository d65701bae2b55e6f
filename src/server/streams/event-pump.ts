// Replays an execution's stored events after a seq, then follows live ones, into a sink with bounded buffering.
import type { StreamEvent } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/index.js';
import type { StreamOptions } from './stream-options.js';

/** A client connection as the pump sees it: WebSocket or SSE. */
export interface EventSink {
  send(event: StreamEvent): void;
  /** Bytes written but not yet taken by the client (kernel socket buffer aside). */
  bufferedBytes(): number;
  /** Resolves true when the buffer drops below half the bound, false when `timeoutMs` passes first. */
  waitForDrain(timeoutMs: number): Promise<boolean>;
  /** Ends the stream telling the client why. */
  close(reason: string): void;
}

type PumpEnd = 'aborted' | 'slow-client' | 'failed';

export async function pumpEvents(
  store: ExecutionStore,
  executionId: string,
  afterSeq: number,
  sink: EventSink,
  options: Pick<StreamOptions, 'maxBufferedBytes' | 'slowClientTimeoutMs' | 'pollIntervalMs'>,
  signal: AbortSignal,
): Promise<PumpEnd> {
  try {
    for await (const event of store.follow(executionId, {
      afterSeq,
      signal,
      pollIntervalMs: options.pollIntervalMs,
    })) {
      sink.send(event);
      if (sink.bufferedBytes() > options.maxBufferedBytes) {
        const drained = await sink.waitForDrain(options.slowClientTimeoutMs);
        if (signal.aborted) return 'aborted';
        if (!drained) {
          sink.close(
            `client too slow: more than ${options.maxBufferedBytes} bytes unread for ${options.slowClientTimeoutMs} ms; reconnect with after=${event.seq}`,
          );
          return 'slow-client';
        }
      }
    }
    return 'aborted';
  } catch {
    if (signal.aborted) return 'aborted';
    sink.close('the event store failed; reconnect with the last seq you received');
    return 'failed';
  }
}

/** Live stream clients of this server, for /metrics and the client bound. */
export class StreamClients {
  #count = 0;
  #maxClients: number;

  constructor(maxClients: number) {
    this.#maxClients = maxClients;
  }

  tryAdd(): boolean {
    if (this.#count >= this.#maxClients) return false;
    this.#count += 1;
    return true;
  }

  remove(): void {
    this.#count = Math.max(0, this.#count - 1);
  }

  get count(): number {
    return this.#count;
  }
}
