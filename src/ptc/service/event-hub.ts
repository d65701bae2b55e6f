// Fans the agent's events out to WebSocket subscribers, each optionally filtered to one execution.
import type { NewStreamEvent } from '../../contracts/index.js';

/** Sent after an execution's last event, so a client knows the stream of that plan is complete. */
export interface PtcExecutionDoneMessage {
  type: 'ptc-execution-done';
  executionId: string;
  planId: string;
}

export type PtcStreamMessage = NewStreamEvent | PtcExecutionDoneMessage;

type Subscriber = { executionId: string | null; send: (message: PtcStreamMessage) => void };

/** Bound on subscribers, so a client that leaks sockets cannot grow the hub without limit. */
const MAX_SUBSCRIBERS = 1_000;

export class PtcEventHub {
  private readonly subscribers = new Set<Subscriber>();

  subscribe(executionId: string | null, send: (message: PtcStreamMessage) => void): () => void {
    if (this.subscribers.size >= MAX_SUBSCRIBERS) throw new Error('too many event subscribers');
    const subscriber = { executionId, send };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  publish(message: PtcStreamMessage): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.executionId && subscriber.executionId !== message.executionId) continue;
      try {
        subscriber.send(message);
      } catch {
        this.subscribers.delete(subscriber);
      }
    }
  }

  get size(): number {
    return this.subscribers.size;
  }
}
