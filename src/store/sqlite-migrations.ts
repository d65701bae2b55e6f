// Versioned schema of the SQLite execution store, applied at open inside one write transaction.
import type BetterSqlite3 from 'better-sqlite3';
import { retainStatements } from './sqlite-retained-statements.js';

interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'executions and events',
    sql: `
      CREATE TABLE executions (
        ordinal INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        goal TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cached_input_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        node_count INTEGER NOT NULL DEFAULT 0,
        result TEXT
      );
      CREATE INDEX executions_created ON executions (created_at DESC, ordinal DESC);
      CREATE INDEX executions_status_created ON executions (status, created_at DESC, ordinal DESC);
      CREATE TABLE events (
        execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        task_id TEXT,
        timestamp TEXT NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (execution_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX events_task ON events (execution_id, task_id, type);
    `,
  },
  {
    version: 2,
    name: 'runner beats',
    sql: `
      CREATE TABLE runner_beats (
        execution_id TEXT PRIMARY KEY REFERENCES executions (id) ON DELETE CASCADE,
        runner_id TEXT NOT NULL,
        interval_ms INTEGER NOT NULL,
        beat_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/**
 * Applies missing migrations. BEGIN IMMEDIATE takes the write lock first, so two processes opening the same
 * file at once apply each migration exactly once (the second waits on busy_timeout, then sees it done).
 */
export function applySqliteMigrations(database: BetterSqlite3.Database): void {
  const migrate = database.transaction(() => {
    database.exec(
      'CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const select = database.prepare<[], { version: number }>('SELECT version FROM migrations');
    const record = database.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)');
    retainStatements([select, record]);
    const applied = new Set(select.all().map((row) => row.version));
    for (const migration of SQLITE_MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      database.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  });
  migrate.immediate();
}
