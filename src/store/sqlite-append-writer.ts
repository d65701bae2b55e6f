// Commits a batch of appends in one SQLite transaction: numbering, the append rules, the summary fold, the rows.
// Shared by the store's own connection (`:memory:`) and the append worker's (a file), so both apply one logic.
import type Database from 'better-sqlite3';
import type { ExecutionSummary, StreamEvent } from '../contracts/index.js';
import { type AppendOptions, checkAppend } from './append-rules.js';
import type { GroupCommitOutcome } from './group-commit.js';
import { retainStatements } from './sqlite-retained-statements.js';
import {
  EXECUTION_COLUMN_LIST,
  type ExecutionColumns,
  notFound,
  storeFailure,
  summaryFromColumns,
  summaryValues,
} from './store-rows.js';
import { foldSummary, normalizeTimestamp, taskIdOf } from './summary-fold.js';

/** Validated events of one execution waiting for their seqs: one `append`, or an `appendAll` stored whole or not at all. */
export interface PendingAppend {
  events: StreamEvent[];
  options: AppendOptions;
}

export interface CommittedBatch {
  /**
   * One per append, in order: the seq its first event took (the others follow it), or why it alone was refused
   * (nothing of it written).
   */
  outcomes: Array<GroupCommitOutcome<number>>;
  /** Executions whose log grew. */
  appendedTo: string[];
}

export class SqliteAppendWriter {
  readonly #database: Database.Database;
  readonly #statements;

  constructor(database: Database.Database) {
    this.#database = database;
    this.#statements = {
      selectExecution: database.prepare<[string], ExecutionColumns>(
        `SELECT ${EXECUTION_COLUMN_LIST} FROM executions WHERE id = ?`,
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
    };
    retainStatements(Object.values(this.#statements));
  }

  /**
   * One transaction for the whole batch, one fsync at its commit. Throws only when the transaction as a whole
   * failed (then nothing of the batch was written).
   */
  commit(appends: readonly PendingAppend[]): CommittedBatch {
    const summaries = new Map<string, ExecutionSummary>();
    // IMMEDIATE takes the write lock before reading last_seq, so another process cannot take the same seq.
    const outcomes = this.#database
      .transaction(() => {
        const outcomes = appends.map((pending): GroupCommitOutcome<number> => {
          const executionId = pending.events[0]?.executionId ?? '';
          const before = summaries.get(executionId);
          try {
            return { ok: true, value: this.#appendGroup(pending, summaries) };
          } catch (error) {
            // Refused alone (CONFLICT, NOT_FOUND): nothing of it was written, the others go on.
            if (before === undefined) summaries.delete(executionId);
            else summaries.set(executionId, before);
            return { ok: false, error: storeFailure(error, 'append event', false) };
          }
        });
        for (const next of summaries.values())
          this.#statements.updateSummary.run(...summaryValues(next), next.id);
        return outcomes;
      })
      .immediate();
    return { outcomes, appendedTo: [...summaries.keys()] };
  }

  /** The group's events in order; one of several refused rolls the group's rows back to its savepoint. */
  #appendGroup({ events, options }: PendingAppend, summaries: Map<string, ExecutionSummary>): number {
    if (events.length === 1) return this.#appendOne(events[0]!, options, summaries);
    // Nested in the batch's transaction, better-sqlite3 makes this a savepoint.
    return this.#database.transaction(() => {
      const seqs = events.map((event) => this.#appendOne(event, options, summaries));
      return seqs[0]!;
    })();
  }

  /** Checks and inserts one event inside the batch's transaction; `summaries` carries the folds forward. */
  #appendOne(event: StreamEvent, options: AppendOptions, summaries: Map<string, ExecutionSummary>): number {
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
    return numbered.seq;
  }
}
