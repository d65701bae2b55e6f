// ExecutionStore on PostgreSQL (DATABASE_URL): row-locked appends so many processes share one gap-free log.
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

export interface PostgresExecutionStoreOptions {
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
}

const UNIQUE_VIOLATION = '23505';
// Connection-level failures (refused, reset, server shutting down) are worth retrying; SQL errors are not.
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01',
  '57P03',
  '40001',
  '40P01',
]);

interface EventRow {
  seq: number;
  payload: unknown;
}

export class PostgresExecutionStore implements ExecutionStore {
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #table: { executions: string; events: string };
  readonly #notifier = new AppendNotifier();
  readonly #closed = new AbortController();

  private constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.schema = schema;
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
      application_name: 'roma',
    });
    // An idle client losing its connection must not crash the process; the next query reports the failure.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await applyPostgresMigrations(client, schema);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new RomaError('STORE_FAILED', `cannot open the PostgreSQL store: ${(error as Error).message}`, {
        cause: error,
        retryable: isRetryable(error),
        fix: 'check DATABASE_URL (store.databaseUrl) and that PostgreSQL is running and reachable',
      });
    }
    return new PostgresExecutionStore(pool, schema);
  }

  async createExecution(input: CreateExecutionInput): Promise<ExecutionSummary> {
    const { id, goal } = validateCreateInput(input);
    const summary = initialSummary(id, goal, new Date().toISOString());
    await this.#query('create execution', async (client) => {
      try {
        await client.query(
          `INSERT INTO ${this.#table.executions} (${INSERT_COLUMN_LIST})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [id, goal, summary.createdAt, ...summaryValues(summary)],
        );
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw conflict(id);
        throw error;
      }
    });
    return summary;
  }

  async append(event: NewStreamEvent, options: AppendOptions = {}): Promise<StreamEvent> {
    const validated = validateNewEvent(event);
    validateAppendOptions(options);
    const stored = await this.#transaction('append event', async (client) => {
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
      return numbered;
    });
    this.#notifier.notify(stored.executionId);
    return stored;
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

  follow(executionId: string, options: FollowOptions = {}): AsyncIterable<StreamEvent> {
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
    return summary;
  }

  async close(): Promise<void> {
    if (this.#closed.signal.aborted) return;
    this.#closed.abort();
    await this.#pool.end();
  }

  async #query<T>(action: string, step: (client: pg.Pool) => Promise<T>): Promise<T> {
    if (this.#closed.signal.aborted) throw closedStore();
    try {
      return await step(this.#pool);
    } catch (error) {
      throw storeFailure(error, action, isRetryable(error));
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
      // A connection that cannot even roll back is discarded rather than returned to the pool.
      client.release(broken);
    }
  }
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code !== undefined && RETRYABLE_CODES.has(code);
}
