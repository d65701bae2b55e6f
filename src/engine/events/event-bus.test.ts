// Live watchers of a run: every published event in order, an end when the run ends, cleanup on break.
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../contracts/index.js';
import { EventBus } from './event-bus.js';

const event = (seq: number): StreamEvent => ({
  type: 'warning',
  executionId: 'e',
  seq,
  timestamp: new Date().toISOString(),
  taskId: null,
  code: 'X',
  message: String(seq),
});

describe('EventBus', () => {
  it('streams events until closed', async () => {
    const bus = new EventBus();
    const stream = bus.stream();
    bus.publish(event(1));
    bus.publish(event(2));
    bus.close();
    const seen: number[] = [];
    for await (const item of stream) seen.push(item.seq);
    expect(seen).toEqual([1, 2]);
  });

  it('unsubscribes a watcher that breaks early, and a throwing listener does not break publishing', async () => {
    const bus = new EventBus();
    bus.subscribe(() => {
      throw new Error('broken watcher');
    });
    const stream = bus.stream();
    bus.publish(event(1));
    for await (const item of stream) {
      expect(item.seq).toBe(1);
      break;
    }
    expect(() => bus.publish(event(2))).not.toThrow();
  });

  it('ends a watcher that falls too far behind with an error', async () => {
    const bus = new EventBus();
    const stream = bus.stream({ maxBufferedEvents: 1 });
    bus.publish(event(1));
    bus.publish(event(2));
    await expect(stream.next()).resolves.toMatchObject({ value: { seq: 1 } });
    await expect(stream.next()).rejects.toThrow('fell 1 events behind');
  });
});
