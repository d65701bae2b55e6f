// ExecutionStore on an embedded SQLite file (the default): WAL journal, appends group-committed in a worker thread, fsynced at commit.
import { setMaxListeners } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import type { ExecutionSummary, NewStreamEvent, StreamEvent } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import { type AppendOptions, validateAppendOptions } from './append-rules.js';
import {
  parseStoredEventJson,
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
import { GroupCommit, type GroupCommitOutcome, type GroupCommitStats } from './group-commit.js';
import { SqliteAppendThread } from './sqlite-append-thread.js';
import { SqliteAppendWatcher } from './sqlite-append-watcher.js';
import { type PendingAppend, SqliteAppendWriter } from './sqlite-append-writer.js';
import { commitBeaconPath, SqliteCommitBeacon } from './sqlite-commit-beacon.js';
import { connectSqlite, type SqliteConnectionOptions } from './sqlite-connection.js';
import { applySqliteMigrations } from './sqlite-migrations.js';
import { retainStatements } from './sqlite-retained-statements.js';
import { SqliteRunnerBeats } from './sqlite-runner-beats.js';
import {
  clampListLimit,
  closedStore,
  conflict,
  EXECUTION_COLUMN_LIST,
  type ExecutionColumns,
  INSERT_COLUMN_LIST,
  storeFailure,
  summaryFromColumns,
  summaryValues,
  validateCreateInput,
} from './store-rows.js';
import { initialSummary, normalizeTimestamp, taskIdOf } from './summary-fold.js';

export const SQLITE_FILE_NAME = 'roma.db';

export interface SqliteExecutionStoreOptions {
  /** Directory holding `roma.db` (created when missing); `.roma` by default. */
  dataDir?: string;
  /** Full path of the database file, overriding `dataDir`; `:memory:` keeps nothing. */
  filePath?: string;
  /**
   * FULL (default) fsyncs the WAL at every commit, so an acknowledged append survives a power cut, not just a
   * killed process. NORMAL survives `kill -9` but may lose the last commits on an OS crash; faster.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's lock before failing (retryable). */
  busyTimeoutMs?: number;
}

interface EventRow {
  seq: number;
  payload: string;
}

export class SqliteExecutionStore implements ExecutionStore {
  readonly filePath: string;
  readonly appendsInCallOrder = true;
  readonly #database: Database.Database;
  readonly #notifier = new AppendNotifier();
  readonly #beats: SqliteRunnerBeats;
  readonly #closed = new AbortController();
  readonly #statements;
  /** Commits appends to a file off the event loop; undefined for `:memory:` (no other connection can see it). */
  readonly #thread: SqliteAppendThread | undefined;
  /** Commits appends on this connection (`:memory:`). */
  readonly #writer: SqliteAppendWriter | undefined;
  #closing = false;
  readonly #appends = new GroupCommit<PendingAppend, StreamEvent[]>(
    (appends) => this.#commitAppends(appends),
    (error) => this.#failure(error, 'append event'),
  );
  /** Finds other processes' commits for this store's followers (one check for all of them). */
  readonly appendWatcher: SqliteAppendWatcher;
  /** Tells other processes' watchers about this one's commits the moment they are visible. */
  readonly #beacon: SqliteCommitBeacon;

  private constructor(filePath: string, database: Database.Database, connection: SqliteConnectionOptions) {
    this.filePath = filePath;
    this.#database = database;
    this.#beats = new SqliteRunnerBeats(database, connection.busyTimeoutMs);
    if (filePath === ':memory:') this.#writer = new SqliteAppendWriter(database);
    else this.#thread = new SqliteAppendThread({ filePath, ...connection });
    // Every waiting follower listens for the close: an API server has one per stream client.
    setMaxListeners(0, this.#closed.signal);
    this.#statements = {
      selectExecution: database.prepare<[string], ExecutionColumns>(
        `SELECT ${EXECUTION_COLUMN_LIST} FROM executions WHERE id = ?`,
      ),
      insertExecution: database.prepare(
        `INSERT INTO executions (${INSERT_COLUMN_LIST})
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertEvent: database.prepare(
        'INSERT INTO events (execution_id, seq, type, task_id, timestamp, payload) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      readEvents: database.prepare<[string, number, number], EventRow>(
        'SELECT seq, payload FROM events WHERE execution_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      readEventsOfTypes: database.prepare<[string, number, string, number], EventRow>(
        `SELECT seq, payload FROM events WHERE execution_id = ? AND seq > ?
           AND type IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?`,
      ),
      listByStatus: database.prepare<[string, number], ExecutionColumns>(
        `SELECT ${EXECUTION_COLUMN_LIST} FROM executions WHERE status = ?
         ORDER BY created_at DESC, ordinal DESC LIMIT ?`,
      ),
      listAll: database.prepare<[number], ExecutionColumns>(
        `SELECT ${EXECUTION_COLUMN_LIST} FROM executions ORDER BY created_at DESC, ordinal DESC LIMIT ?`,
      ),
      dataVersion: database.prepare<[], number>('PRAGMA data_version').pluck(),
      lastSeq: database.prepare<[string], number>('SELECT last_seq FROM executions WHERE id = ?').pluck(),
    };
    // An in-memory database has no files for other processes to watch or ring.
    const onDisk = filePath === ':memory:' ? null : filePath;
    this.appendWatcher = new SqliteAppendWatcher({
      probe: {
        dataVersion: () => this.#run('check for appends', () => this.#statements.dataVersion.get() ?? 0),
        lastSeq: (id) => this.#run('check for appends', () => this.#statements.lastSeq.get(id) ?? 0),
      },
      onAppend: (executionId) => this.#notifier.notify(executionId),
      walPath: onDisk && `${onDisk}-wal`,
      beaconPath: onDisk && commitBeaconPath(onDisk),
      closedSignal: this.#closed.signal,
    });
    this.#beacon = new SqliteCommitBeacon(onDisk);
  }

  /** Opens (creating when missing) the database file and applies pending migrations. */
  static open(options: SqliteExecutionStoreOptions = {}): SqliteExecutionStore {
    const filePath = options.filePath ?? join(options.dataDir ?? '.roma', SQLITE_FILE_NAME);
    let database: Database.Database | undefined;
    try {
      if (filePath !== ':memory:') mkdirSync(dirname(filePath), { recursive: true });
      const connection: SqliteConnectionOptions = {
        synchronous: options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL',
        busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
      };
      database = connectSqlite(filePath, connection);
      applySqliteMigrations(database);
      return new SqliteExecutionStore(filePath, database, connection);
    } catch (error) {
      database?.close();
      throw new RomaError(
        'STORE_FAILED',
        `cannot open the SQLite store at ${filePath}: ${(error as Error).message}`,
        {
          cause: error,
          fix: 'check that store.dataDir (ROMA_STORE_DATA_DIR) is a writable directory',
        },
      );
    }
  }

  async createExecution(input: CreateExecutionInput): Promise<ExecutionSummary> {
    const { id, goal } = validateCreateInput(input);
    const summary = initialSummary(id, goal, new Date().toISOString());
    this.#run('create execution', () => {
      try {
        this.#statements.insertExecution.run(id, goal, summary.createdAt, ...summaryValues(summary));
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw conflict(id);
        throw error;
      }
    });
    return summary;
  }

  async append(event: NewStreamEvent, options: AppendOptions = {}): Promise<StreamEvent> {
    const validated = validateNewEvent(event);
    validateAppendOptions(options);
    if (this.#closing) throw closedStore();
    // Numbered in call order: the queue is committed first in, first out.
    const [stored] = await this.#appends.submit({ events: [validated], options });
    return stored!;
  }

  async appendAll(events: NewStreamEvent[]): Promise<StreamEvent[]> {
    const validated = validateNewEventGroup(events);
    if (validated.length === 0) return [];
    if (this.#closing) throw closedStore();
    return this.#appends.submit({ events: validated, options: {} });
  }

  /**
   * One transaction for every append waiting in this turn of the event loop, one fsync at its commit: in the
   * append worker for a file (the event loop goes on meanwhile), on this connection for `:memory:`.
   */
  async #commitAppends(appends: readonly PendingAppend[]): Promise<Array<GroupCommitOutcome<StreamEvent[]>>> {
    if (this.#closed.signal.aborted) throw closedStore();
    const committed = this.#thread ? await this.#thread.commit(appends) : this.#writer!.commit(appends);
    if (committed.appendedTo.length > 0) this.#beacon.ring();
    for (const executionId of committed.appendedTo) this.#notifier.notify(executionId);
    return committed.outcomes.map((outcome, index) =>
      outcome.ok
        ? {
            ok: true,
            value: appends[index]!.events.map(
              (event, offset) => ({ ...event, seq: outcome.value + offset }) as StreamEvent,
            ),
          }
        : outcome,
    );
  }

  /** Appends committed so far, in how many commits, and the time those took (the bench reports it). */
  get appendCommitStats(): GroupCommitStats {
    return this.#appends.stats;
  }

  async readEvents(executionId: string, options: ReadEventsOptions = {}): Promise<StreamEvent[]> {
    const afterSeq = options.afterSeq ?? 0;
    const limit = options.limit ?? -1;
    const rows = this.#run('read events', () =>
      options.types === undefined
        ? this.#statements.readEvents.all(executionId, afterSeq, limit)
        : this.#statements.readEventsOfTypes.all(executionId, afterSeq, JSON.stringify(options.types), limit),
    );
    return rows.map((row) => parseStoredEventJson(row.payload, executionId, row.seq));
  }

  follow(executionId: string, options: FollowOptions = {}): AsyncIterable<StreamEvent> {
    return followEvents(
      {
        readEvents: (id, readOptions) => this.readEvents(id, readOptions),
        exists: async (id) => (await this.getExecution(id)) !== null,
        notifier: this.#notifier,
        closedSignal: this.#closed.signal,
        watchAppends: (id, pollIntervalMs) => this.appendWatcher.watch(id, pollIntervalMs),
      },
      executionId,
      options,
    );
  }

  async beat(executionId: string, beat: { runnerId: string; intervalMs: number }): Promise<void> {
    this.#run('record a runner beat', () => this.#beats.beat(executionId, beat.runnerId, beat.intervalMs));
  }

  async lastBeat(executionId: string): Promise<RunnerBeat | null> {
    return this.#run('read a runner beat', () => this.#beats.lastBeat(executionId));
  }

  async getExecution(executionId: string): Promise<ExecutionSummary | null> {
    const row = this.#run('get execution', () => this.#statements.selectExecution.get(executionId));
    return row ? summaryFromColumns(row) : null;
  }

  async listExecutions(options: ListExecutionsOptions = {}): Promise<ExecutionSummary[]> {
    const limit = clampListLimit(options.limit);
    const rows = this.#run('list executions', () =>
      options.status
        ? this.#statements.listByStatus.all(options.status, limit)
        : this.#statements.listAll.all(limit),
    );
    return rows.map(summaryFromColumns);
  }

  async importEvents(events: StreamEvent[]): Promise<ExecutionSummary> {
    const { events: ordered, summary } = validateImportedLog(events);
    this.#run('import events', () =>
      this.#database
        .transaction(() => {
          if (this.#statements.selectExecution.get(summary.id)) throw conflict(summary.id);
          this.#statements.insertExecution.run(
            summary.id,
            summary.goal,
            summary.createdAt,
            ...summaryValues(summary),
          );
          for (const event of ordered) {
            this.#statements.insertEvent.run(
              event.executionId,
              event.seq,
              event.type,
              taskIdOf(event),
              normalizeTimestamp(event.timestamp),
              JSON.stringify(event),
            );
          }
        })
        .immediate(),
    );
    this.#beacon.ring();
    this.#notifier.notify(summary.id);
    return summary;
  }

  async close(): Promise<void> {
    if (this.#closed.signal.aborted) return;
    // Appends already accepted are committed (or refused) before the database goes away; later ones are refused.
    this.#closing = true;
    await this.#appends.flush();
    await this.#thread?.close();
    this.#closed.abort();
    this.#beacon.close();
    this.#database.close();
    retainStatements(Object.values(this.#statements));
  }

  /** Runs a synchronous database step, refusing after close and typing every failure. */
  #run<T>(action: string, step: () => T): T {
    if (this.#closed.signal.aborted) throw closedStore();
    try {
      return step();
    } catch (error) {
      throw this.#failure(error, action);
    }
  }

  #failure(error: unknown, action: string): RomaError {
    // Not every failure's code is SQLite's string: a DOMException (a batch that cannot be posted) has a number.
    const code = String((error as { code?: unknown }).code ?? '');
    return storeFailure(error, action, code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
  }
}
