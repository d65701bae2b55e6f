// ExecutionStore on an embedded SQLite file (the default): WAL journal, appends group-committed, fsynced at commit.
import { setMaxListeners } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { ExecutionSummary, NewStreamEvent, StreamEvent } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import { type AppendOptions, checkAppend, validateAppendOptions } from './append-rules.js';
import { parseStoredEventJson, validateImportedLog, validateNewEvent } from './event-validation.js';
import type {
  CreateExecutionInput,
  ExecutionStore,
  FollowOptions,
  ListExecutionsOptions,
  ReadEventsOptions,
} from './execution-store.js';
import { AppendNotifier, followEvents } from './follow-events.js';
import { GroupCommit, type GroupCommitOutcome, type GroupCommitStats } from './group-commit.js';
import { SqliteAppendWatcher } from './sqlite-append-watcher.js';
import { commitBeaconPath, SqliteCommitBeacon } from './sqlite-commit-beacon.js';
import { applySqliteMigrations } from './sqlite-migrations.js';
import { retainStatements } from './sqlite-retained-statements.js';
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

interface PendingAppend {
  event: StreamEvent;
  options: AppendOptions;
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
  readonly #closed = new AbortController();
  readonly #statements;
  readonly #appends = new GroupCommit<PendingAppend, StreamEvent>(
    (appends) => this.#commitAppends(appends),
    (error) => this.#failure(error, 'append event'),
  );
  /** Finds other processes' commits for this store's followers (one check for all of them). */
  readonly appendWatcher: SqliteAppendWatcher;
  /** Tells other processes' watchers about this one's commits the moment they are visible. */
  readonly #beacon: SqliteCommitBeacon;

  private constructor(filePath: string, database: Database.Database) {
    this.filePath = filePath;
    this.#database = database;
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
      updateSummary: database.prepare(
        `UPDATE executions SET status = ?, updated_at = ?, last_seq = ?, input_tokens = ?, output_tokens = ?,
           cached_input_tokens = ?, cost_usd = ?, node_count = ?, result = ? WHERE id = ?`,
      ),
      taskStarted: database.prepare<[string, string], { found: number }>(
        `SELECT 1 AS found FROM events WHERE execution_id = ? AND task_id = ? AND type = 'task-start' LIMIT 1`,
      ),
      insertEvent: database.prepare(
        'INSERT INTO events (execution_id, seq, type, task_id, timestamp, payload) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      readEvents: database.prepare<[string, number, number], EventRow>(
        'SELECT seq, payload FROM events WHERE execution_id = ? AND seq > ? ORDER BY seq LIMIT ?',
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
    this.appendWatcher = new SqliteAppendWatcher({
      probe: {
        dataVersion: () => this.#run('check for appends', () => this.#statements.dataVersion.get() ?? 0),
        lastSeq: (id) => this.#run('check for appends', () => this.#statements.lastSeq.get(id) ?? 0),
      },
      onAppend: (executionId) => this.#notifier.notify(executionId),
      walPath: filePath === ':memory:' ? null : `${filePath}-wal`,
      beaconPath: filePath === ':memory:' ? null : commitBeaconPath(filePath),
      closedSignal: this.#closed.signal,
    });
    this.#beacon = new SqliteCommitBeacon(filePath === ':memory:' ? null : filePath);
  }

  /** Opens (creating when missing) the database file and applies pending migrations. */
  static open(options: SqliteExecutionStoreOptions = {}): SqliteExecutionStore {
    const filePath = options.filePath ?? join(options.dataDir ?? '.roma', SQLITE_FILE_NAME);
    let database: Database.Database | undefined;
    try {
      if (filePath !== ':memory:') mkdirSync(dirname(filePath), { recursive: true });
      database = new Database(filePath, { timeout: options.busyTimeoutMs ?? 5_000 });
      // exec, not pragma(): no statement object is left for the garbage collector (see retainStatement).
      database.exec('PRAGMA journal_mode = WAL');
      database.exec(`PRAGMA synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
      database.exec('PRAGMA foreign_keys = ON');
      applySqliteMigrations(database);
      return new SqliteExecutionStore(filePath, database);
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
    if (this.#closed.signal.aborted) throw closedStore();
    // Numbered in call order: the queue is committed first in, first out.
    return this.#appends.submit({ event: validated, options });
  }

  /** One transaction for every append waiting in this turn of the event loop; one fsync at its commit. */
  #commitAppends(appends: readonly PendingAppend[]): Array<GroupCommitOutcome<StreamEvent>> {
    if (this.#closed.signal.aborted) throw closedStore();
    const summaries = new Map<string, ExecutionSummary>();
    // IMMEDIATE takes the write lock before reading last_seq, so another process cannot take the same seq.
    const outcomes = this.#database
      .transaction(() => {
        const outcomes = appends.map((pending) => {
          try {
            return { ok: true as const, value: this.#appendOne(pending, summaries) };
          } catch (error) {
            // Refused alone (CONFLICT, NOT_FOUND): nothing of it was written, the others go on.
            return { ok: false as const, error: storeFailure(error, 'append event', false) };
          }
        });
        for (const next of summaries.values())
          this.#statements.updateSummary.run(...summaryValues(next), next.id);
        return outcomes;
      })
      .immediate();
    if (summaries.size > 0) this.#beacon.ring();
    for (const executionId of summaries.keys()) this.#notifier.notify(executionId);
    return outcomes;
  }

  /** Checks and inserts one event inside the batch's transaction; `summaries` carries the folds forward. */
  #appendOne({ event, options }: PendingAppend, summaries: Map<string, ExecutionSummary>): StreamEvent {
    let summary = summaries.get(event.executionId);
    if (summary === undefined) {
      const row = this.#statements.selectExecution.get(event.executionId);
      if (!row) throw notFound(event.executionId);
      summary = summaryFromColumns(row);
    }
    const numbered = { ...event, seq: summary.lastSeq + 1 } as StreamEvent;
    checkAppend(summary, numbered, options);
    const taskAlreadyStarted =
      numbered.type === 'task-start' &&
      this.#statements.taskStarted.get(numbered.executionId, numbered.taskId) !== undefined;
    const next = foldSummary(summary, numbered, { taskAlreadyStarted });
    // One statement: it is written whole or not at all, so a failure here leaves the batch consistent.
    this.#statements.insertEvent.run(
      numbered.executionId,
      numbered.seq,
      numbered.type,
      taskIdOf(numbered),
      normalizeTimestamp(numbered.timestamp),
      JSON.stringify(numbered),
    );
    summaries.set(numbered.executionId, next);
    return numbered;
  }

  /** Appends committed so far, in how many commits, and the time those took (the bench reports it). */
  get appendCommitStats(): GroupCommitStats {
    return this.#appends.stats;
  }

  async readEvents(executionId: string, options: ReadEventsOptions = {}): Promise<StreamEvent[]> {
    const rows = this.#run('read events', () =>
      this.#statements.readEvents.all(executionId, options.afterSeq ?? 0, options.limit ?? -1),
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
    // Appends already accepted are committed (or refused) before the database goes away.
    this.#appends.flush();
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
    const code = (error as { code?: string }).code ?? '';
    return storeFailure(error, action, code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
  }
}
