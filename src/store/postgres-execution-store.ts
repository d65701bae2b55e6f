// ExecutionStore on PostgreSQL (DATABASE_URL): row-locked appends so many processes share one gap-free log.
import { setMaxListeners } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import type { ExecutionSummary, NewStreamEvent, StreamEvent } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import { type AppendOptions, checkAppend, validateAppendOptions } from './append-rules.js';
import {
  parseStoredEvent,
  validateImportedLog,
  validateNewEvent,
  validateNewEventGroup,
} from './event-validation.js';
import type {
  CreateExecutionInput,
  ExecutionStore,
  FollowOptions,
  ListExecutionsOptions,
  ReadEventsOptions,
  RunnerBeat,
} from './execution-store.js';
import { AppendNotifier, followEvents } from './follow-events.js';
import type { GroupCommitOutcome } from './group-commit.js';
import { AppendLanes } from './postgres-append-lanes.js';
import { appendChannel, appendPayloadSql, PostgresAppendListener } from './postgres-append-listener.js';
import { type ClientErrorGuard, guardPoolClientErrors } from './postgres-client-errors.js';
import {
  backoff,
  isRetryablePostgresError as isRetryable,
  type PostgresRetryOptions,
  type RetryPolicy,
  retryPolicy,
} from './postgres-faults.js';
import { applyPostgresMigrations, isValidSchemaName, quoteIdentifier } from './postgres-migrations.js';
import { readBeat, runnerBeatStatements, writeBeat } from './postgres-runner-beats.js';
import {
  clampListLimit,
  closedStore,
  conflict,
  EXECUTION_COLUMN_LIST,
  type ExecutionColumns,
  INSERT_COLUMN_LIST,
  notFound,
  storeFailure,
  summaryFromColumns,
  summaryValues,
  validateCreateInput,
} from './store-rows.js';
import { foldSummary, initialSummary, normalizeTimestamp, taskIdOf } from './summary-fold.js';

export const DEFAULT_POSTGRES_SCHEMA = 'roma';

/**
 * Sends the queries `issue` makes on a pipelined client in one socket write: each would otherwise be a write of
 * its own, and a write (a system call) costs more here than building the query does.
 */
function inOneWrite<T>(client: pg.PoolClient, issue: () => T): T {
  const socket = (client as unknown as pg.Client).connection?.stream;
  socket?.cork();
  try {
    return issue();
  } finally {
    socket?.uncork();
  }
}

interface PostgresExecutionStoreOptions {
  /** postgres://user:password@host:port/database (DATABASE_URL); never echoed in errors. */
  connectionString: string;
  /**
   * Schema holding the tables, created when missing; `roma` by default, so the generic table names
   * (executions, events, migrations) never collide with an application's own in `public`. Tests use one per run.
   */
  schema?: string;
  maxConnections?: number;
  connectionTimeoutMs?: number;
  /** Server-side bound on every statement; a client-side bound a little above it catches a dead socket. */
  statementTimeoutMs?: number;
  /** `application_name` of the connections (`roma`), as `pg_stat_activity` shows them. */
  applicationName?: string;
  /**
   * Retries of an operation whose connection dropped (pg_terminate_backend, failover, restart): reads and
   * appends are tried again on a new connection; an append whose COMMIT went unanswered is first looked up by
   * the seq it took, so it is never stored twice.
   */
  retry?: PostgresRetryOptions;
}

const UNIQUE_VIOLATION = '23505';

interface EventRow {
  seq: number;
  payload: unknown;
}

/** One `append` (a group of one) or `appendAll`: its events are stored together or not at all. */
interface PendingAppend {
  events: StreamEvent[];
  options: AppendOptions;
}

type AppendOutcome = GroupCommitOutcome<StreamEvent[]>;

/**
 * A statement the store runs often: named, so each connection has the server parse and plan it once (names
 * need only be unique per connection, and each store has a pool of its own).
 */
interface Statement {
  name: string;
  text: string;
}

/** What an append transaction is about to commit: its events, and what each caller of the batch is told. */
interface CommittingBatch {
  events: StreamEvent[];
  outcomes: AppendOutcome[];
}

export class PostgresExecutionStore implements ExecutionStore {
  /** Appends made together to one execution share a transaction, numbered in call order (see AppendLanes). */
  readonly appendsInCallOrder = true;
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #clientErrors: ClientErrorGuard;
  readonly #table: { executions: string; events: string };
  readonly #beats: ReturnType<typeof runnerBeatStatements>;
  readonly #notifier = new AppendNotifier();
  readonly #closed = new AbortController();
  readonly #retry: RetryPolicy;
  readonly #channel: string;
  readonly #listener: PostgresAppendListener;
  readonly #appends = new AppendLanes<PendingAppend, StreamEvent[]>((executionId, appends) =>
    this.#commitAppends(executionId, appends),
  );
  /** Set by close(): new appends are refused while those already made are committed. */
  #closing = false;
  readonly #sql: Record<
    'lock' | 'startedTasks' | 'write' | 'landed' | 'readEvents' | 'readEventsOfTypes' | 'getExecution',
    Statement
  >;

  private constructor(
    pool: pg.Pool,
    clientErrors: ClientErrorGuard,
    schema: string,
    retry: RetryPolicy,
    connectionString: string,
  ) {
    this.#pool = pool;
    this.#clientErrors = clientErrors;
    this.schema = schema;
    this.#retry = retry;
    this.#channel = appendChannel(schema);
    // Appends of other processes wake followers through NOTIFY (sent at commit) instead of their next poll.
    this.#listener = new PostgresAppendListener({
      connectionString,
      channel: this.#channel,
      onAppend: (executionId, lastSeq) => this.#notifier.notify(executionId, lastSeq),
      onListening: () => this.#notifier.notifyAll(),
      closedSignal: this.#closed.signal,
    });
    const quoted = quoteIdentifier(schema);
    this.#table = { executions: `${quoted}.executions`, events: `${quoted}.events` };
    this.#beats = runnerBeatStatements(`${quoted}.runner_beats`, this.#table.executions);
    // Every waiting follower listens for the close: an API server (or a queue's client) has one per run it follows.
    setMaxListeners(0, this.#closed.signal);
    const { executions, events } = this.#table;
    this.#sql = {
      lock: {
        name: 'roma-append-lock',
        text: `SELECT ${EXECUTION_COLUMN_LIST} FROM ${executions} WHERE id = $1 FOR UPDATE`,
      },
      startedTasks: {
        name: 'roma-append-started-tasks',
        text: `SELECT DISTINCT task_id FROM ${events}
          WHERE execution_id = $1 AND type = 'task-start' AND task_id = ANY($2::text[])`,
      },
      // The batch's rows, the folded summary and the wake-up of other processes' followers, in one statement:
      // a data-modifying WITH runs to completion whether or not the outer query reads it. NOTIFY is delivered
      // at commit, so a follower never wakes to an append that was rolled back.
      write: {
        name: 'roma-append-write',
        text: `WITH inserted AS (
            INSERT INTO ${events} (execution_id, seq, type, task_id, timestamp, payload)
            SELECT $1, appended.seq, appended.type, appended.task_id, appended.timestamp, appended.payload
            FROM unnest($2::integer[], $3::text[], $4::text[], $5::timestamptz[], $6::json[])
              AS appended (seq, type, task_id, timestamp, payload)
          ), summarised AS (
            UPDATE ${executions} SET status = $7, updated_at = $8, last_seq = $9, input_tokens = $10,
              output_tokens = $11, cached_input_tokens = $12, cost_usd = $13, node_count = $14, result = $15
            WHERE id = $1
          )
          SELECT pg_notify($16, ${appendPayloadSql('$1', '$9')})`,
      },
      landed: {
        name: 'roma-append-landed',
        text: `SELECT seq, payload FROM ${events} WHERE execution_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
      },
      readEvents: {
        name: 'roma-read-events',
        text: `SELECT seq, payload FROM ${events} WHERE execution_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      },
      readEventsOfTypes: {
        name: 'roma-read-events-of-types',
        text: `SELECT seq, payload FROM ${events} WHERE execution_id = $1 AND seq > $2 AND type = ANY($4::text[])
               ORDER BY seq LIMIT $3`,
      },
      getExecution: {
        name: 'roma-get-execution',
        text: `SELECT ${EXECUTION_COLUMN_LIST} FROM ${executions} WHERE id = $1`,
      },
    };
  }

  /** Connects, creates the schema when missing and applies pending migrations. */
  static async open(options: PostgresExecutionStoreOptions): Promise<PostgresExecutionStore> {
    const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
    if (!isValidSchemaName(schema)) {
      throw new RomaError('VALIDATION_FAILED', `schema: "${schema}" is not a plain SQL identifier`, {
        field: 'schema',
        fix: 'use letters, digits and underscores, starting with a letter or underscore',
      });
    }
    const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      // An append sends its statements without waiting for each answer: BEGIN with the row lock, then the
      // write with COMMIT, two round trips in all (answers still come back, and are checked, one per query).
      pipeline: true,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      statement_timeout: statementTimeoutMs,
      query_timeout: statementTimeoutMs + 5_000,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      application_name: options.applicationName ?? 'roma',
    });
    const clientErrors = guardPoolClientErrors(pool);
    try {
      const client = await pool.connect();
      try {
        await applyPostgresMigrations(client, schema);
      } finally {
        client.release(clientErrors.isBroken(client));
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new RomaError('STORE_FAILED', `cannot open the PostgreSQL store: ${(error as Error).message}`, {
        cause: error,
        retryable: isRetryable(error),
        fix: 'check DATABASE_URL (store.databaseUrl) and that PostgreSQL is running and reachable',
      });
    }
    return new PostgresExecutionStore(
      pool,
      clientErrors,
      schema,
      retryPolicy(options.retry),
      options.connectionString,
    );
  }

  async createExecution(input: CreateExecutionInput): Promise<ExecutionSummary> {
    const { id, goal } = validateCreateInput(input);
    const summary = initialSummary(id, goal, new Date().toISOString());
    let tries = 0;
    await this.#query('create execution', async (client) => {
      tries += 1;
      try {
        await client.query(
          `INSERT INTO ${this.#table.executions} (${INSERT_COLUMN_LIST})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [id, goal, summary.createdAt, ...summaryValues(summary)],
        );
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
        // A retry after a connection lost at commit finds its own row: that is success, not a conflict.
        if (tries > 1 && (await this.#isOwnNewExecution(client, id, summary))) return;
        throw conflict(id);
      }
    });
    return summary;
  }

  async append(event: NewStreamEvent, options: AppendOptions = {}): Promise<StreamEvent> {
    const validated = validateNewEvent(event);
    validateAppendOptions(options);
    if (this.#closing || this.#closed.signal.aborted) throw closedStore();
    const [stored] = await this.#appends.submit(validated.executionId, { events: [validated], options });
    return stored!;
  }

  async appendAll(events: NewStreamEvent[]): Promise<StreamEvent[]> {
    const validated = validateNewEventGroup(events);
    const executionId = validated[0]?.executionId;
    if (executionId === undefined) return [];
    if (this.#closing || this.#closed.signal.aborted) throw closedStore();
    return this.#appends.submit(executionId, { events: validated, options: {} });
  }

  /**
   * One transaction for a batch of appends to one execution, tried again on a dropped connection. When an attempt
   * lost its connection at COMMIT, the next one first reads the seqs that attempt took: the same events there
   * mean it was committed (idempotent by seq); anything else means it was not, and the batch is made anew.
   */
  async #commitAppends(executionId: string, appends: readonly PendingAppend[]): Promise<AppendOutcome[]> {
    let pending: CommittingBatch | undefined;
    for (let tryNumber = 1; ; tryNumber += 1) {
      let committing: CommittingBatch | undefined;
      try {
        if (pending) {
          if (await this.#landed(executionId, pending.events)) return pending.outcomes;
          pending = undefined;
        }
        return await this.#appendBatch(executionId, appends, (batch) => {
          committing = batch;
        });
      } catch (error) {
        pending = committing ?? pending;
        if (!isRetryable(error) || tryNumber >= this.#retry.attempts || this.#closed.signal.aborted) {
          throw storeFailure(error, 'append event', isRetryable(error));
        }
        await backoff(this.#retry, tryNumber, this.#closed.signal);
      }
    }
  }

  /** True when every event of `events` is stored at its seq, as it was sent. */
  async #landed(executionId: string, events: readonly StreamEvent[]): Promise<boolean> {
    const first = events[0];
    const last = events.at(-1);
    if (!first || !last) return true;
    const result = await this.#pool.query<EventRow>({
      ...this.#sql.landed,
      values: [executionId, first.seq, last.seq],
    });
    return (
      result.rows.length === events.length &&
      result.rows.every((row, index) =>
        isDeepStrictEqual(parseStoredEvent(row.payload, executionId, row.seq), events[index]),
      )
    );
  }

  /**
   * Under the execution's row lock (which serialises appends across connections and processes), numbers the
   * batch from the stored last seq, checks and folds each event in order (a refused one is left out alone), and
   * writes the rest with the new summary. Round trip one: BEGIN, the lock, and which of the batch's tasks
   * started before (read after the lock is granted, as each statement takes a new snapshot); round trip two:
   * the write and COMMIT.
   */
  async #appendBatch(
    executionId: string,
    appends: readonly PendingAppend[],
    committing: (batch: CommittingBatch) => void,
  ): Promise<AppendOutcome[]> {
    if (this.#closed.signal.aborted) throw closedStore();
    const startingTasks = [
      ...new Set(
        appends.flatMap(({ events }) =>
          events.flatMap((event) => (event.type === 'task-start' ? [event.taskId] : [])),
        ),
      ),
    ];
    return this.#withClient('append event', async (client) => {
      const [, locked, started] = await Promise.all(
        inOneWrite(client, () => [
          client.query('BEGIN; SET LOCAL synchronous_commit = on'),
          client.query<ExecutionColumns>({ ...this.#sql.lock, values: [executionId] }),
          startingTasks.length > 0
            ? client.query<{ task_id: string }>({
                ...this.#sql.startedTasks,
                values: [executionId, startingTasks],
              })
            : undefined,
        ]),
      );
      const row = locked.rows[0];
      if (!row) throw notFound(executionId);
      let summary = summaryFromColumns(row);
      const startedTasks = new Set(started?.rows.map((each) => each.task_id));
      const events: StreamEvent[] = [];
      const outcomes = appends.map((append): AppendOutcome => {
        // Folded on copies: a group refused part-way leaves the summary and the started tasks as they were.
        let folded = summary;
        const startedInGroup: string[] = [];
        const numberedGroup: StreamEvent[] = [];
        for (const event of append.events) {
          const numbered = { ...event, seq: folded.lastSeq + 1 } as StreamEvent;
          try {
            checkAppend(folded, numbered, append.options);
          } catch (error) {
            // Refused alone (CONFLICT): nothing of its group is written, the other appends go on.
            return { ok: false, error: storeFailure(error, 'append event', false) };
          }
          const taskId = numbered.type === 'task-start' ? numbered.taskId : null;
          folded = foldSummary(folded, numbered, {
            taskAlreadyStarted:
              taskId !== null && (startedTasks.has(taskId) || startedInGroup.includes(taskId)),
          });
          if (taskId !== null) startedInGroup.push(taskId);
          numberedGroup.push(numbered);
        }
        summary = folded;
        for (const taskId of startedInGroup) startedTasks.add(taskId);
        events.push(...numberedGroup);
        return { ok: true, value: numberedGroup };
      });
      if (events.length === 0) {
        await client.query('ROLLBACK');
        return outcomes;
      }
      // From here a lost connection leaves the outcome unknown: the COMMIT may have landed.
      committing({ events, outcomes });
      await Promise.all(
        inOneWrite(client, () => [
          client.query({
            ...this.#sql.write,
            values: [
              executionId,
              events.map((each) => each.seq),
              events.map((each) => each.type),
              events.map((each) => taskIdOf(each)),
              events.map((each) => normalizeTimestamp(each.timestamp)),
              events.map((each) => JSON.stringify(each)),
              ...summaryValues(summary),
              this.#channel,
            ],
          }),
          client.query('COMMIT'),
        ]),
      );
      this.#notifier.notify(executionId, summary.lastSeq);
      return outcomes;
    });
  }

  async #isOwnNewExecution(client: pg.Pool, id: string, expected: ExecutionSummary): Promise<boolean> {
    const result = await client.query<ExecutionColumns>(
      `SELECT ${EXECUTION_COLUMN_LIST} FROM ${this.#table.executions} WHERE id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (!row) return false;
    const found = summaryFromColumns(row);
    return found.goal === expected.goal && found.createdAt === expected.createdAt && found.lastSeq === 0;
  }

  async readEvents(executionId: string, options: ReadEventsOptions = {}): Promise<StreamEvent[]> {
    const result = await this.#query('read events', (client) =>
      client.query<EventRow>(
        options.types === undefined
          ? { ...this.#sql.readEvents, values: [executionId, options.afterSeq ?? 0, options.limit ?? null] }
          : {
              ...this.#sql.readEventsOfTypes,
              values: [executionId, options.afterSeq ?? 0, options.limit ?? null, [...options.types]],
            },
      ),
    );
    return result.rows.map((row) => parseStoredEvent(row.payload, executionId, row.seq));
  }

  /**
   * NOTIFY after the commit, outside the append's transaction: a lost notification only delays followers
   * elsewhere until their next poll, so it is sent once and never retried or awaited.
   */
  #notifyOtherProcesses(executionId: string, lastSeq: number): void {
    if (this.#closed.signal.aborted) return;
    this.#pool
      .query(`SELECT pg_notify($1, ${appendPayloadSql('$2', '$3')})`, [this.#channel, executionId, lastSeq])
      .catch(() => undefined);
  }

  /** True while this store's LISTEN connection is up (followers then wake on other processes' appends). */
  get listening(): boolean {
    return this.#listener.listening;
  }

  follow(executionId: string, options: FollowOptions = {}): AsyncIterable<StreamEvent> {
    this.#listener.ensureStarted();
    return followEvents(
      {
        readEvents: (id, readOptions) => this.readEvents(id, readOptions),
        exists: async (id) => (await this.getExecution(id)) !== null,
        notifier: this.#notifier,
        closedSignal: this.#closed.signal,
        hearsOtherProcesses: () => this.#listener.listening,
      },
      executionId,
      options,
    );
  }

  async beat(executionId: string, beat: { runnerId: string; intervalMs: number }): Promise<void> {
    await this.#query('record a runner beat', (client) => writeBeat(client, this.#beats, executionId, beat));
  }

  async lastBeat(executionId: string): Promise<RunnerBeat | null> {
    return this.#query('read a runner beat', (client) => readBeat(client, this.#beats, executionId));
  }

  async getExecution(executionId: string): Promise<ExecutionSummary | null> {
    const result = await this.#query('get execution', (client) =>
      client.query<ExecutionColumns>({ ...this.#sql.getExecution, values: [executionId] }),
    );
    const row = result.rows[0];
    return row ? summaryFromColumns(row) : null;
  }

  async listExecutions(options: ListExecutionsOptions = {}): Promise<ExecutionSummary[]> {
    const limit = clampListLimit(options.limit);
    const result = await this.#query('list executions', (client) =>
      options.status
        ? client.query<ExecutionColumns>(
            `SELECT ${EXECUTION_COLUMN_LIST} FROM ${this.#table.executions} WHERE status = $1
             ORDER BY created_at DESC, ordinal DESC LIMIT $2`,
            [options.status, limit],
          )
        : client.query<ExecutionColumns>(
            `SELECT ${EXECUTION_COLUMN_LIST} FROM ${this.#table.executions}
             ORDER BY created_at DESC, ordinal DESC LIMIT $1`,
            [limit],
          ),
    );
    return result.rows.map(summaryFromColumns);
  }

  async importEvents(events: StreamEvent[]): Promise<ExecutionSummary> {
    const { events: ordered, summary } = validateImportedLog(events);
    await this.#transaction('import events', async (client) => {
      try {
        await client.query(
          `INSERT INTO ${this.#table.executions} (${INSERT_COLUMN_LIST})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [summary.id, summary.goal, summary.createdAt, ...summaryValues(summary)],
        );
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw conflict(summary.id);
        throw error;
      }
      // One statement for the whole log: the server unpacks the array, so import is one round trip.
      await client.query(
        `INSERT INTO ${this.#table.events} (execution_id, seq, type, task_id, timestamp, payload)
         SELECT $1, (element ->> 'seq')::integer, element ->> 'type', element ->> 'taskId',
                (element ->> 'timestamp')::timestamptz, element
         FROM json_array_elements($2::json) AS element`,
        [summary.id, JSON.stringify(ordered)],
      );
    });
    this.#notifier.notify(summary.id, summary.lastSeq);
    this.#notifyOtherProcesses(summary.id, summary.lastSeq);
    return summary;
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    // Appends already made are committed first: each caller was told nothing yet, and may be told success.
    await this.#appends.drain();
    this.#closed.abort();
    await this.#pool.end();
  }

  /** Runs a read (or an insert that recognises its own row) on the pool, again on a dropped connection. */
  async #query<T>(action: string, step: (client: pg.Pool) => Promise<T>): Promise<T> {
    for (let tryNumber = 1; ; tryNumber += 1) {
      if (this.#closed.signal.aborted) throw closedStore();
      try {
        return await step(this.#pool);
      } catch (error) {
        if (!isRetryable(error) || tryNumber >= this.#retry.attempts || this.#closed.signal.aborted) {
          throw storeFailure(error, action, isRetryable(error));
        }
        await backoff(this.#retry, tryNumber, this.#closed.signal);
      }
    }
  }

  /** Runs `step` in one transaction with a synchronous commit: resolved means on disk on the server. */
  #transaction<T>(action: string, step: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#withClient(action, async (client) => {
      // Forced per transaction so a server configured with synchronous_commit=off cannot weaken durability.
      await client.query('BEGIN; SET LOCAL synchronous_commit = on');
      const value = await step(client);
      await client.query('COMMIT');
      return value;
    });
  }

  /** Runs `work` on a pooled client; when it fails, rolls back any transaction it left open. */
  async #withClient<T>(action: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.#closed.signal.aborted) throw closedStore();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw storeFailure(error, action, true);
    }
    // A client whose connection drops is heard by its guard (see postgres-client-errors.ts); its queries fail
    // too, so the work throws.
    let broken = false;
    try {
      return await work(client);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw storeFailure(error, action, isRetryable(error));
    } finally {
      // A connection that dropped or cannot even roll back is discarded rather than returned to the pool.
      client.release(broken || this.#clientErrors.isBroken(client));
    }
  }
}
