// Runner beats in the PostgreSQL store: stamped and aged by the database's clock, so hosts whose clocks disagree
// read the same age.
import type pg from 'pg';
import type { RunnerBeat } from './execution-store.js';

/** The two statements, for the beats table `table` (a quoted, schema-qualified name). */
export function runnerBeatStatements(table: string, executions: string) {
  return {
    upsert: {
      name: 'roma-beat',
      text: `INSERT INTO ${table} (execution_id, runner_id, interval_ms, beat_at)
             SELECT $1, $2, $3, now() WHERE EXISTS (SELECT 1 FROM ${executions} WHERE id = $1)
             ON CONFLICT (execution_id) DO UPDATE SET
               runner_id = excluded.runner_id, interval_ms = excluded.interval_ms, beat_at = excluded.beat_at`,
    },
    select: {
      name: 'roma-last-beat',
      text: `SELECT runner_id, interval_ms,
               GREATEST(0, EXTRACT(EPOCH FROM (now() - beat_at)) * 1000)::float8 AS age_ms
             FROM ${table} WHERE execution_id = $1`,
    },
  };
}

type BeatStatements = ReturnType<typeof runnerBeatStatements>;

export async function writeBeat(
  client: pg.Pool,
  statements: BeatStatements,
  executionId: string,
  beat: { runnerId: string; intervalMs: number },
): Promise<void> {
  await client.query({ ...statements.upsert, values: [executionId, beat.runnerId, beat.intervalMs] });
}

export async function readBeat(
  client: pg.Pool,
  statements: BeatStatements,
  executionId: string,
): Promise<RunnerBeat | null> {
  const result = await client.query<{ runner_id: string; interval_ms: number; age_ms: number }>({
    ...statements.select,
    values: [executionId],
  });
  const row = result.rows[0];
  return row ? { runnerId: row.runner_id, intervalMs: row.interval_ms, ageMs: Number(row.age_ms) } : null;
}
