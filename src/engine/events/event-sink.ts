// The engine's one way to record a transition: append to the store (durable), then tell live watchers.
import type { NewStreamEvent, StreamEvent } from '../../contracts/index.js';
import type { AppendOptions, ExecutionStore } from '../../store/execution-store.js';
import type { EventBus } from './event-bus.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as the engine writes it: the sink adds the execution id and the time. */
type EngineEvent = DistributiveOmit<NewStreamEvent, 'executionId' | 'timestamp'>;

type EventObserver = (event: StreamEvent) => void;

export class EventSink {
  private readonly observers: EventObserver[] = [];
  /** Observers that also see events other processes stored in this run (see `relayStored`). */
  private readonly relayObservers: EventObserver[] = [];
  /** The highest seq this sink has stored. */
  private lastSeq = 0;
  /** Per task, the highest seq relayed: a worker's event is relayed once even if asked for again. */
  private readonly relayedThrough = new Map<string, number>();
  /**
   * The append in progress: appends of one run are observed and published in seq order. To a store without
   * `appendsInCallOrder` they also go one at a time: its row lock serialises them anyway, while their replies
   * can arrive out of order (one pooled connection each).
   */
  private tail: Promise<unknown> = Promise.resolve();
  /** The first failure of a recorded append not yet reported by `durable()`. */
  private unreported: { error: unknown } | undefined;

  constructor(
    private readonly store: ExecutionStore,
    readonly executionId: string,
    private readonly bus: EventBus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Observers see each stored event before live watchers do (the engine keeps its budgets with one). With
   * `relayed`, one also sees what a queue worker stored for this run, once its step is over (`relayStored`).
   */
  observe(observer: EventObserver, options: { relayed?: boolean } = {}): void {
    this.observers.push(observer);
    if (options.relayed) this.relayObservers.push(observer);
  }

  /** The highest seq this sink has stored so far (0 before its first). */
  get lastStoredSeq(): number {
    return this.lastSeq;
  }

  /**
   * Tells relaying observers and live watchers about the events a queue worker stored for `taskId` after
   * `afterSeq`: a step done elsewhere appends to the same log, and tracking (MLflow, OpenTelemetry) and live
   * streams would otherwise never see its model calls. Call it when the step is over, before this run records
   * anything more for the task, so every event of the task past `afterSeq` is the worker's. Each step's events
   * come in seq order, when the step ends (a sibling's events stored meanwhile may have come first). Usage is
   * not counted again: budgets count a remote step's usage from its result.
   */
  async relayStored(taskId: string, afterSeq: number): Promise<void> {
    // Nobody to tell (no tracking, no live stream): not worth a read of the store per step.
    if (this.relayObservers.length === 0 && !this.bus.watched) return;
    const from = Math.max(afterSeq, this.relayedThrough.get(taskId) ?? 0);
    const stored = await this.store.readEvents(this.executionId, { afterSeq: from });
    for (const event of stored) {
      if (!('taskId' in event) || event.taskId !== taskId) continue;
      this.relayedThrough.set(taskId, event.seq);
      for (const observer of this.relayObservers) observer(event);
      this.bus.publish(event);
    }
  }

  /** Resolves once the event is durable in the store; the caller's next step starts after that. */
  emit(event: EngineEvent, options?: AppendOptions): Promise<StreamEvent> {
    return this.enqueue(() => this.stamped(event, this.now().toISOString()), options);
  }

  /**
   * Sends the event without waiting for it: the caller goes on to its next event, so the events between two
   * external effects share one commit instead of waiting for one each. Before its next external effect (a
   * model call, the code agent, a step handed to a worker, the run's end) the caller awaits `durable()`, which
   * also reports a failure of this append.
   */
  record(event: EngineEvent): void {
    this.enqueue(() => this.stamped(event, this.now().toISOString()), undefined, true);
  }

  /**
   * Resolves once every event sent so far is durable (and observed); rejects with the first failure of a
   * recorded append since the last call, which is reported once.
   */
  async durable(): Promise<void> {
    await this.tail;
    const failure = this.unreported;
    if (failure === undefined) return;
    this.unreported = undefined;
    throw failure.error;
  }

  /** An engine event as stored: in this execution, at `timestamp`. */
  protected stamped(event: EngineEvent, timestamp: string): NewStreamEvent {
    return { ...event, executionId: this.executionId, timestamp } as NewStreamEvent;
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

  private enqueue(
    build: () => NewStreamEvent,
    options?: AppendOptions,
    recorded = false,
  ): Promise<StreamEvent> {
    // A store that numbers appends in call order gets each one at once (stamped now, so timestamps still rise
    // with seq), and those of one event-loop turn share a commit; any other store gets them one at a time.
    const sent = this.store.appendsInCallOrder ? this.store.append(build(), options) : undefined;
    // Its failure is reported through `appended` below, in turn; until then it must not count as unhandled.
    sent?.catch(() => undefined);
    const appended = this.tail.then(async () => {
      // Stamped when its turn comes, so timestamps rise with seq.
      const stored = await (sent ?? this.store.append(build(), options));
      if (stored.seq > this.lastSeq) this.lastSeq = stored.seq;
      for (const observer of this.observers) observer(stored);
      this.bus.publish(stored);
      return stored;
    });
    this.tail = appended.catch((error: unknown) => {
      // Kept before the tail settles, so a `durable()` waiting on the tail sees it.
      if (recorded) this.unreported ??= { error };
    });
    return appended;
  }
}
