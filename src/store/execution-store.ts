// ExecutionStore: the append-only event log of runs, the one interface the engine and server persist through.
import type { ExecutionStatus, ExecutionSummary, NewStreamEvent, StreamEvent } from '../contracts/index.js';
import type { AppendOptions } from './append-rules.js';

export type { AppendOptions } from './append-rules.js';

export interface CreateExecutionInput {
  id: string;
  goal: string;
}

export interface ReadEventsOptions {
  /** Only events with `seq > afterSeq`. */
  afterSeq?: number;
  limit?: number;
  /**
   * Only events of these types (all when absent): the store skips the others without decoding them, so a
   * poll for one rare event (a cancel request) stays cheap however busy the run is.
   */
  types?: readonly StreamEvent['type'][];
}

export interface FollowOptions {
  afterSeq?: number;
  signal?: AbortSignal;
  /** How often the store polls for appends made by other processes (same-object appends wake at once). */
  pollIntervalMs?: number;
  /** End the stream after yielding an `execution-end` event (a later resume appends a new run segment). */
  untilExecutionEnd?: boolean;
}

export interface ListExecutionsOptions {
  limit?: number;
  status?: ExecutionStatus;
}

/** The last sign of life of a run's runner (see `ExecutionStore.beat`). */
export interface RunnerBeat {
  runnerId: string;
  /** How often that runner beats: a beat several of these old means it is gone. */
  intervalMs: number;
  /** Milliseconds since the beat, by the store's clock: hosts whose clocks disagree still read the same age. */
  ageMs: number;
}

export interface ExecutionStore {
  /**
   * True when appends made without waiting for each other are numbered, and settle, in call order (the SQLite
   * store's group commit): a writer may then keep several in flight, and they share commits. Absent or false:
   * a writer that needs seq order waits for each append before making the next.
   */
  readonly appendsInCallOrder?: boolean;
  /** Creates the execution row; CONFLICT when the id exists. */
  createExecution(input: CreateExecutionInput): Promise<ExecutionSummary>;
  /**
   * Appends one event, giving it the next gap-free `seq` of its execution. Durable (committed) before the
   * promise resolves, so a crash after it never loses the event. Updates the execution's summary
   * (status, usage, nodeCount, result) in the same transaction. CONFLICT when the run has ended (only an
   * `execution-resume` may follow an `execution-end`) or when `options.ifLastSeq` no longer holds.
   */
  append(event: NewStreamEvent, options?: AppendOptions): Promise<StreamEvent>;
  /**
   * Appends events of one execution in one transaction, numbered consecutively in the order given: all of them
   * are durable when it resolves, or none is (one refused refuses them all, with its error). For events that
   * mean something only together: a worker's step end is never stored without the model calls it paid for.
   * Numbered in call order with `append` on a store with `appendsInCallOrder`.
   */
  appendAll(events: NewStreamEvent[]): Promise<StreamEvent[]>;
  readEvents(executionId: string, options?: ReadEventsOptions): Promise<StreamEvent[]>;
  /** Stored events after `afterSeq`, then live ones as they are appended, until the signal aborts. */
  follow(executionId: string, options?: FollowOptions): AsyncIterable<StreamEvent>;
  getExecution(executionId: string): Promise<ExecutionSummary | null>;
  listExecutions(options?: ListExecutionsOptions): Promise<ExecutionSummary[]>;
  /** Re-imports an exported log (same seq numbers); CONFLICT when the execution exists. */
  importEvents(events: StreamEvent[]): Promise<ExecutionSummary>;
  /**
   * Records that `runnerId` runs the execution, as of now (one row per execution, replaced by each beat): another
   * host tells a live runner from a dead one by the age of its last beat. Nothing for an unknown execution.
   */
  beat(executionId: string, beat: { runnerId: string; intervalMs: number }): Promise<void>;
  /** The execution's last beat, or null when none was recorded. */
  lastBeat(executionId: string): Promise<RunnerBeat | null>;
  close(): Promise<void>;
}
