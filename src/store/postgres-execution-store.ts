// ExecutionStore on PostgreSQL (DATABASE_URL): row-locked appends so many processes share one gap-free log.
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import type { ExecutionSummary, NewStreamEvent, StreamEvent } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import { type AppendOptions, checkAppend, validateAppendOptions } from './append-rules.js';
import { parseStoredEvent, validateImportedLog, validateNewEvent } from './event-validation.js';
import type {
  CreateExecutionInput,
  ExecutionStore,
  FollowOptions,
  ListExecutionsOptions,
  ReadEventsOptions,
} from './execution-store.js';
import { AppendNotifier, followEvents } from './follow-events.js';
import { appendChannel, PostgresAppendListener } from './postgres-append-listener.js';
import { type ClientErrorGuard, guardPoolClientErrors } from './postgres-client-errors.js';
import {
  backoff,
  isRetryablePostgresError as isRetryable,
  type PostgresRetryOptions,
  type RetryPolicy,
  retryPolicy,
} from './postgres-faults.js';
import { applyPostgresMigrations, isValidSchemaName, quoteIdentifier } from './postgres-migrations.js';
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

export class PostgresExecutionStore implements ExecutionStore {
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #clientErrors: ClientErrorGuard;
  readonly #table: { executions: string; events: string };
  readonly #notifier = new AppendNotifier();
  readonly #closed = new AbortController();
  readonly #retry: RetryPolicy;
  readonly #channel: string;
  readonly #listener: PostgresAppendListener;

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
      onAppend: (executionId) => this.#notifier.notify(executionId),
      closedSignal: this.#closed.signal,
    });
    const quoted = quoteIdentifier(schema);
    this.#table = { executions: `${quoted}.executions`, events: `${quoted}.events` };
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
    const stored = await this.#appendWithRetry(validated.executionId, (uncertain) =>
      this.#transaction('append event', async (client) => {
        // The row lock serialises appends to one execution across connections and processes: the seq is
        // read and bumped under it, and a rolled-back append gives its number back.
        const locked = await client.query<ExecutionColumns>(
          `SELECT ${EXECUTION_COLUMN_LIST} FROM ${this.#table.executions} WHERE id = $1 FOR UPDATE`,
          [validated.executionId],
        );
        const row = locked.rows[0];
        if (!row) throw notFound(validated.executionId);
        const summary = summaryFromColumns(row);
        const numbered = { ...validated, seq: summary.lastSeq + 1 } as StreamEvent;
        checkAppend(summary, numbered, options);
        let taskAlreadyStarted = false;
        if (numbered.type === 'task-start') {
          const started = await client.query(
            `SELECT 1 FROM ${this.#table.events} WHERE execution_id = $1 AND task_id = $2 AND type = 'task-start' LIMIT 1`,
            [numbered.executionId, numbered.taskId],
          );
          taskAlreadyStarted = (started.rowCount ?? 0) > 0;
        }
        const next = foldSummary(summary, numbered, { taskAlreadyStarted });
        await client.query(
          `INSERT INTO ${this.#table.events} (execution_id, seq, type, task_id, timestamp, payload)
         VALUES ($1, $2, $3, $4, $5, $6::json)`,
          [
            numbered.executionId,
            numbered.seq,
            numbered.type,
            taskIdOf(numbered),
            normalizeTimestamp(numbered.timestamp),
            JSON.stringify(numbered),
          ],
        );
        await client.query(
          `UPDATE ${this.#table.executions} SET status = $1, updated_at = $2, last_seq = $3, input_tokens = $4,
           output_tokens = $5, cached_input_tokens = $6, cost_usd = $7, node_count = $8, result = $9
         WHERE id = $10`,
          [...summaryValues(next), numbered.executionId],
        );
        // From here a lost connection leaves the outcome unknown: the COMMIT may have landed.
        uncertain(numbered);
        return numbered;
      }),
    );
    this.#notifier.notify(stored.executionId);
    this.#notifyOtherProcesses(stored.executionId);
    return stored;
  }

  /**
   * Tries an append again on a dropped connection. When an attempt lost its connection at COMMIT, the next
   * one first reads the seq that attempt took: the same event there means it was committed (idempotent by
   * seq); anything else means it was not, and the append is made anew.
   */
  async #appendWithRetry(
    executionId: string,
    attempt: (uncertain: (event: StreamEvent) => void) => Promise<StreamEvent>,
  ): Promise<StreamEvent> {
    let pending: StreamEvent | undefined;
    for (let tryNumber = 1; ; tryNumber += 1) {
      let committing: StreamEvent | undefined;
      try {
        if (pending) {
          const landed = await this.#eventAt(executionId, pending.seq);
          if (landed !== null && isDeepStrictEqual(landed, pending)) return pending;
          pending = undefined;
        }
        return await attempt((event) => {
          committing = event;
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

  async #eventAt(executionId: string, seq: number): Promise<StreamEvent | null> {
    const result = await this.#pool.query<EventRow>(
      `SELECT seq, payload FROM ${this.#table.events} WHERE execution_id = $1 AND seq = $2`,
      [executionId, seq],
    );
    const row = result.rows[0];
    return row ? parseStoredEvent(row.payload, executionId, row.seq) : null;
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
        `SELECT seq, payload FROM ${this.#table.events} WHERE execution_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [executionId, options.afterSeq ?? 0, options.limit ?? null],
      ),
    );
    return result.rows.map((row) => parseStoredEvent(row.payload, executionId, row.seq));
  }

  /**
   * NOTIFY after the commit, outside the append's transaction: a lost notification only delays followers
   * elsewhere until their next poll, so it is sent once and never retried or awaited.
   */
  #notifyOtherProcesses(executionId: string): void {
    if (this.#closed.signal.aborted) return;
    this.#pool.query('SELECT pg_notify($1, $2)', [this.#channel, executionId]).catch(() => undefined);
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
      },
      executionId,
      options,
    );
  }

  async getExecution(executionId: string): Promise<ExecutionSummary | null> {
    const result = await this.#query('get execution', (client) =>
      client.query<ExecutionColumns>(
        `SELECT ${EXECUTION_COLUMN_LIST} FROM ${this.#table.executions} WHERE id = $1`,
        [executionId],
      ),
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
    this.#notifier.notify(summary.id);
    this.#notifyOtherProcesses(summary.id);
    return summary;
  }

  async close(): Promise<void> {
    if (this.#closed.signal.aborted) return;
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
  async #transaction<T>(action: string, step: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.#closed.signal.aborted) throw closedStore();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw storeFailure(error, action, true);
    }
    // A client whose connection drops is heard by its guard (see postgres-client-errors.ts); its queries fail
    // too, so the step throws.
    let broken = false;
    try {
      // Forced per transaction so a server configured with synchronous_commit=off cannot weaken durability.
      await client.query('BEGIN; SET LOCAL synchronous_commit = on');
      const value = await step(client);
      await client.query('COMMIT');
      return value;
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
