// Runs the ExecutionStore conformance suite against the machine's PostgreSQL, one schema per test, dropped after.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describeExecutionStoreConformance } from './execution-store.conformance.js';
import type { ExecutionStore } from './execution-store.js';
import { PostgresExecutionStore } from './postgres-execution-store.js';
import { dropTestSchema, TEST_DATABASE_URL, uniqueTestName } from './testing/test-database.js';

describeExecutionStoreConformance('PostgreSQL', async () => {
  const schema = uniqueTestName();
  return {
    open: () => PostgresExecutionStore.open({ connectionString: TEST_DATABASE_URL, schema }),
    cleanup: () => dropTestSchema(schema),
  };
});

describe('PostgresExecutionStore', () => {
  it('migrates once when several processes open the same schema at the same moment', async () => {
    const schema = uniqueTestName();
    const stores: ExecutionStore[] = [];
    try {
      stores.push(
        ...(await Promise.all(
          Array.from({ length: 4 }, () =>
            PostgresExecutionStore.open({ connectionString: TEST_DATABASE_URL, schema }),
          ),
        )),
      );
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        const applied = await client.query(`SELECT version FROM "${schema}".migrations ORDER BY version`);
        expect(applied.rows).toEqual([{ version: 1 }, { version: 2 }]);
      } finally {
        await client.end();
      }
    } finally {
      for (const store of stores) await store.close();
      await dropTestSchema(schema);
    }
  });

  it('keeps program output holding a NUL character', async () => {
    const schema = uniqueTestName();
    const store = await PostgresExecutionStore.open({ connectionString: TEST_DATABASE_URL, schema });
    try {
      const id = `run-${randomUUID()}`;
      await store.createExecution({ id, goal: 'nul' });
      await store.append({
        type: 'warning',
        executionId: id,
        timestamp: new Date().toISOString(),
        taskId: null,
        code: 'OUTPUT',
        message: 'before\u0000after',
      });
      const [event] = await store.readEvents(id);
      expect(event?.type === 'warning' && event.message).toBe('before\u0000after');
    } finally {
      await store.close();
      await dropTestSchema(schema);
    }
  });

  it('refuses a schema name that is not a plain identifier, and an unreachable server with the fix', async () => {
    await expect(
      PostgresExecutionStore.open({ connectionString: TEST_DATABASE_URL, schema: 'x"; DROP TABLE y; --' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', field: 'schema' });
    const error = await PostgresExecutionStore.open({
      connectionString: 'postgres://roma:secret-password@127.0.0.1:1/none',
      connectionTimeoutMs: 2_000,
    }).catch((caught: unknown) => caught as Error & { code: string; fix: string });
    expect(error).toMatchObject({ code: 'STORE_FAILED', retryable: true });
    expect((error as { fix: string }).fix).toContain('DATABASE_URL');
    expect((error as Error).message).not.toContain('secret-password');
  });
});
