// The engine's one way to record a transition: append to the store (durable), then tell live watchers.
import type { NewStreamEvent, StreamEvent } from '../../contracts/index.js';
import type { AppendOptions, ExecutionStore } from '../../store/execution-store.js';
import type { EventBus } from './event-bus.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as the engine writes it: the sink adds the execution id and the time. */
export type EngineEvent = DistributiveOmit<NewStreamEvent, 'executionId' | 'timestamp'>;

export type EventObserver = (event: StreamEvent) => void;

export class EventSink {
  private readonly observers: EventObserver[] = [];
  /**
   * The append in progress: appends of one run go to the store one at a time, so they are stored, observed
   * and published in seq order. Concurrent appends to one execution gain nothing anyway (the store's row
   * lock serialises them), while their replies can arrive out of order (one pooled connection each).
   */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: ExecutionStore,
    readonly executionId: string,
    private readonly bus: EventBus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Observers see each stored event before live watchers do (the engine keeps its budgets with one). */
  observe(observer: EventObserver): void {
    this.observers.push(observer);
  }

  /** Resolves once the event is durable in the store; the caller's next step starts after that. */
  emit(event: EngineEvent, options?: AppendOptions): Promise<StreamEvent> {
    return this.enqueue(
      () =>
        ({ ...event, executionId: this.executionId, timestamp: this.now().toISOString() }) as NewStreamEvent,
      options,
    );
  }

  /** For events produced outside the engine (the code agent): forced into this execution, stamped if unstamped. */
  emitForeign(event: NewStreamEvent): Promise<StreamEvent> {
    const { executionId: _ignored, timestamp, ...rest } = event;
    return this.enqueue(
      () =>
        ({
          ...rest,
          executionId: this.executionId,
          timestamp: timestamp ?? this.now().toISOString(),
        }) as NewStreamEvent,
    );
  }

  private enqueue(build: () => NewStreamEvent, options?: AppendOptions): Promise<StreamEvent> {
    const appended = this.tail.then(async () => {
      // Stamped when its turn comes, so timestamps rise with seq.
      const stored = await this.store.append(build(), options);
      for (const observer of this.observers) observer(stored);
      this.bus.publish(stored);
      return stored;
    });
    this.tail = appended.catch(() => undefined);
    return appended;
  }
}
