// Fans the agent's events out to WebSocket subscribers, each optionally filtered to one execution.
import type { NewStreamEvent } from '../../contracts/index.js';

/** Sent after an execution's last event, so a client knows the stream of that plan is complete. */
export interface PtcExecutionDoneMessage {
  type: 'ptc-execution-done';
  executionId: string;
  taskId: string;
  planId: string;
}

export type PtcStreamMessage = NewStreamEvent | PtcExecutionDoneMessage;

/** Null fields match everything; a client running one plan subscribes to its execution and task. */
interface PtcStreamFilter {
  executionId: string | null;
  taskId: string | null;
}

/**
 * `payload` is the message as UTF-8 JSON, serialized once per message and shared by every subscriber (a socket
 * may queue it without copying), so N slow subscribers of a 4 MB event hold 4 MB, not N × 4 MB.
 */
type Send = (message: PtcStreamMessage, payload: Buffer) => void;
type Subscriber = PtcStreamFilter & { send: Send };

function taskIdOf(message: PtcStreamMessage): string | null {
  return 'taskId' in message && typeof message.taskId === 'string' ? message.taskId : null;
}

/** Bound on subscribers, so a client that leaks sockets cannot grow the hub without limit. */
const MAX_SUBSCRIBERS = 1_000;

interface PtcEventHubOptions {
  maxSubscribers?: number;
}

export class PtcEventHub {
  private readonly subscribers = new Set<Subscriber>();
  readonly maxSubscribers: number;

  constructor(options: PtcEventHubOptions = {}) {
    this.maxSubscribers = options.maxSubscribers ?? MAX_SUBSCRIBERS;
  }

  /** Null when the hub is full: the caller refuses the subscriber (a full hub is not an error of the service). */
  subscribe(filter: PtcStreamFilter, send: Send): (() => void) | null {
    if (this.full) return null;
    const subscriber = { ...filter, send };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  publish(message: PtcStreamMessage): void {
    let payload: Buffer | undefined;
    for (const subscriber of this.subscribers) {
      if (subscriber.executionId && subscriber.executionId !== message.executionId) continue;
      // Sibling plans of one execution run concurrently: each client gets only its own task's events.
      if (subscriber.taskId && subscriber.taskId !== taskIdOf(message)) continue;
      try {
        payload ??= Buffer.from(JSON.stringify(message), 'utf8');
        subscriber.send(message, payload);
      } catch {
        this.subscribers.delete(subscriber);
      }
    }
  }

  get full(): boolean {
    return this.subscribers.size >= this.maxSubscribers;
  }

  get size(): number {
    return this.subscribers.size;
  }
}
