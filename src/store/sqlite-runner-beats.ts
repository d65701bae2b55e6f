// Runner beats in the SQLite store: one row per execution, written on the store's own connection without waiting.
import type Database from 'better-sqlite3';
import type { RunnerBeat } from './execution-store.js';
import { retainStatements } from './sqlite-retained-statements.js';

interface BeatRow {
  runner_id: string;
  interval_ms: number;
  beat_at_ms: number;
}

export class SqliteRunnerBeats {
  readonly #database: Database.Database;
  readonly #busyTimeoutMs: number;
  readonly #statements;

  constructor(database: Database.Database, busyTimeoutMs: number) {
    this.#database = database;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#statements = {
      upsert: database.prepare<[string, string, number, number, string]>(
        `INSERT INTO runner_beats (execution_id, runner_id, interval_ms, beat_at_ms)
         SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM executions WHERE id = ?)
         ON CONFLICT (execution_id) DO UPDATE SET
           runner_id = excluded.runner_id, interval_ms = excluded.interval_ms, beat_at_ms = excluded.beat_at_ms`,
      ),
      select: database.prepare<[string], BeatRow>(
        'SELECT runner_id, interval_ms, beat_at_ms FROM runner_beats WHERE execution_id = ?',
      ),
    };
    retainStatements(Object.values(this.#statements));
  }

  /**
   * Writes the beat without waiting for the write lock: this connection's writes block the event loop, and the
   * append worker may hold the lock for a commit. A busy store skips this beat (SQLITE_BUSY); the next one comes.
   */
  beat(executionId: string, runnerId: string, intervalMs: number): void {
    // Synchronous from here to the restore: nothing else runs on this connection meanwhile.
    this.#database.exec('PRAGMA busy_timeout = 0');
    try {
      this.#statements.upsert.run(executionId, runnerId, intervalMs, Date.now(), executionId);
    } finally {
      this.#database.exec(`PRAGMA busy_timeout = ${this.#busyTimeoutMs}`);
    }
  }

  /** One host's file: the beat's age is by this machine's clock, the one every writer of the file used. */
  lastBeat(executionId: string): RunnerBeat | null {
    const row = this.#statements.select.get(executionId);
    if (!row) return null;
    return {
      runnerId: row.runner_id,
      intervalMs: row.interval_ms,
      ageMs: Math.max(0, Date.now() - row.beat_at_ms),
    };
  }
}
