// The engine's one way to record a transition: append to the store (durable), then tell live watchers.
import type { NewStreamEvent, StreamEvent } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/execution-store.js';
import type { EventBus } from './event-bus.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as the engine writes it: the sink adds the execution id and the time. */
export type EngineEvent = DistributiveOmit<NewStreamEvent, 'executionId' | 'timestamp'>;

export type EventObserver = (event: StreamEvent) => void;

export class EventSink {
  private readonly observers: EventObserver[] = [];

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
  async emit(event: EngineEvent): Promise<StreamEvent> {
    const stored = await this.store.append({
      ...event,
      executionId: this.executionId,
      timestamp: this.now().toISOString(),
    } as NewStreamEvent);
    for (const observer of this.observers) observer(stored);
    this.bus.publish(stored);
    return stored;
  }

  /** For events produced outside the engine (the code agent): forced into this execution, stamped if unstamped. */
  async emitForeign(event: NewStreamEvent): Promise<StreamEvent> {
    const { executionId: _ignored, timestamp, ...rest } = event;
    const stored = await this.store.append({
      ...rest,
      executionId: this.executionId,
      timestamp: timestamp ?? this.now().toISOString(),
    } as NewStreamEvent);
    for (const observer of this.observers) observer(stored);
    this.bus.publish(stored);
    return stored;
  }
}
