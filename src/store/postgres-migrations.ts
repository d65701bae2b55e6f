// Versioned schema of the PostgreSQL execution store, applied at open under an advisory lock.
import type pg from 'pg';

interface PostgresMigration {
  version: number;
  name: string;
  /** SQL for the schema named by the quoted identifier `schema`. */
  sql: (schema: string) => string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'executions and events',
    // `json`, not `jsonb`: it keeps the payload text as written, and accepts \u0000 that program output can hold.
    sql: (schema) => `
      CREATE TABLE ${schema}.executions (
        ordinal BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        goal TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        input_tokens BIGINT NOT NULL DEFAULT 0,
        output_tokens BIGINT NOT NULL DEFAULT 0,
        cached_input_tokens BIGINT NOT NULL DEFAULT 0,
        cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
        node_count INTEGER NOT NULL DEFAULT 0,
        result TEXT
      );
      CREATE INDEX executions_created ON ${schema}.executions (created_at DESC, ordinal DESC);
      CREATE INDEX executions_status_created ON ${schema}.executions (status, created_at DESC, ordinal DESC);
      CREATE TABLE ${schema}.events (
        execution_id TEXT NOT NULL REFERENCES ${schema}.executions (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        task_id TEXT,
        timestamp TIMESTAMPTZ NOT NULL,
        payload JSON NOT NULL,
        PRIMARY KEY (execution_id, seq)
      );
      CREATE INDEX events_task ON ${schema}.events (execution_id, task_id, type);
    `,
  },
  {
    version: 2,
    name: 'runner beats',
    // Stamped by the database's clock, and aged by it too: hosts whose clocks disagree read the same age.
    sql: (schema) => `
      CREATE TABLE ${schema}.runner_beats (
        execution_id TEXT PRIMARY KEY REFERENCES ${schema}.executions (id) ON DELETE CASCADE,
        runner_id TEXT NOT NULL,
        interval_ms INTEGER NOT NULL,
        beat_at TIMESTAMPTZ NOT NULL
      );
    `,
  },
];

/**
 * Applies missing migrations in one transaction. A transaction-scoped advisory lock keyed by the schema
 * makes concurrent openers (two processes starting at once) wait for each other instead of racing.
 */
export async function applyPostgresMigrations(client: pg.ClientBase, schemaName: string): Promise<void> {
  const schema = quoteIdentifier(schemaName);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`roma-migrations:${schemaName}`]);
    const existing = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schemaName]);
    // Only create a missing schema: CREATE SCHEMA needs a privilege an app user may lack on `public`.
    if (existing.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.migrations (
         version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const applied = await client.query<{ version: number }>(`SELECT version FROM ${schema}.migrations`);
    const versions = new Set(applied.rows.map((row) => row.version));
    for (const migration of POSTGRES_MIGRATIONS) {
      if (versions.has(migration.version)) continue;
      await client.query(migration.sql(schema));
      await client.query(`INSERT INTO ${schema}.migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function isValidSchemaName(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** Quotes a schema name checked by `isValidSchemaName`, so it is never SQL from input. */
export function quoteIdentifier(name: string): string {
  if (!isValidSchemaName(name)) throw new Error(`invalid SQL identifier: ${name}`);
  return `"${name}"`;
}
