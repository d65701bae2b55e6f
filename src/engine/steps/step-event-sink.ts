// The event sink of a step a worker takes: the model calls it records are held until its next external effect
// or its end, and its `task-step-end` is stored with them in one transaction (`appendAll`).
import type { NewStreamEvent, StreamEvent } from '../../contracts/index.js';
import type { AppendOptions, ExecutionStore } from '../../store/execution-store.js';
import { EventBus } from '../events/event-bus.js';
import { EventSink } from '../events/event-sink.js';

type RecordedEvent = Parameters<EventSink['record']>[0];

/**
 * Nobody observes a worker's step in process (the run's watchers follow the store), so the sink's bus has no
 * listener. What it changes is when recorded events are sent: a step's model call is recorded after the call
 * and usually followed only by the step's end, so the two commits of "llm-call durable, then task-step-end"
 * become one; and since that one is atomic, a `task-step-end` is never stored while an llm-call of its step
 * failed to be (the log's token totals fold over llm-calls).
 */
export class StepEventSink extends EventSink {
  /** Recorded, not yet sent; stamped when recorded, as the sink stamps what it sends at once. */
  #held: Array<{ event: RecordedEvent; timestamp: string }> = [];

  constructor(
    private readonly stepStore: ExecutionStore,
    executionId: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super(stepStore, executionId, new EventBus(), clock);
  }

  override record(event: RecordedEvent): void {
    this.#held.push({ event, timestamp: this.clock().toISOString() });
  }

  /** Every event before the effect about to start is durable, the held ones included. */
  override durable(): Promise<void> {
    this.#release();
    return super.durable();
  }

  override emit(event: RecordedEvent, options?: AppendOptions): Promise<StreamEvent> {
    this.#release();
    return super.emit(event, options);
  }

  override emitForeign(event: NewStreamEvent): Promise<StreamEvent> {
    this.#release();
    return super.emitForeign(event);
  }

  /**
   * Stores the step's end together with the recorded events still held, all or none, after every event sent
   * before them is durable: resolved means the step is done in the log.
   */
  async end(event: RecordedEvent): Promise<void> {
    await super.durable();
    const events = [...this.#held.splice(0), { event, timestamp: this.clock().toISOString() }].map((each) =>
      this.stamped(each.event, each.timestamp),
    );
    await this.stepStore.appendAll(events);
  }

  /** Sends the held events, in the order recorded, ahead of whatever comes next. */
  #release(): void {
    for (const { event } of this.#held.splice(0)) super.record(event);
  }
}
