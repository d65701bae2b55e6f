// The config → implementation choice that `roma` and the server rely on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { FileArtifactStore } from './file-artifact-store.js';
import { openArtifactStore, openExecutionStore } from './open.js';
import { PostgresExecutionStore } from './postgres-execution-store.js';
import { S3ArtifactStore } from './s3-artifact-store.js';
import { SqliteExecutionStore } from './sqlite-execution-store.js';
import { dropTestSchema, TEST_DATABASE_URL, uniqueTestName } from './testing/test-database.js';

describe('openExecutionStore', () => {
  it('opens SQLite under dataDir when no database url is set', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roma-open-'));
    try {
      const store = await openExecutionStore({ dataDir });
      expect(store).toBeInstanceOf(SqliteExecutionStore);
      expect((store as SqliteExecutionStore).filePath).toBe(join(dataDir, 'roma.db'));
      await store.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps its tables in their own `roma` schema by default, not in public', async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    const existed = (await client.query("SELECT 1 FROM pg_namespace WHERE nspname = 'roma'")).rowCount === 1;
    try {
      const store = await openExecutionStore({ dataDir: '.roma', databaseUrl: TEST_DATABASE_URL });
      await store.close();
      expect((store as PostgresExecutionStore).schema).toBe('roma');
      const tables = await client.query(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'executions' AND table_schema IN ('roma', 'public')",
      );
      expect(tables.rows.map((row) => row.table_schema)).toEqual(['roma']);
    } finally {
      // Leave a schema that was there before (someone's real data); drop only what this test created.
      if (!existed) await client.query('DROP SCHEMA IF EXISTS roma CASCADE');
      await client.end();
    }
  });

  it('opens PostgreSQL when a database url is set', async () => {
    const schema = uniqueTestName();
    const store = await openExecutionStore(
      { dataDir: '.roma', databaseUrl: TEST_DATABASE_URL },
      { postgresSchema: schema },
    );
    try {
      expect(store).toBeInstanceOf(PostgresExecutionStore);
    } finally {
      await store.close();
      await dropTestSchema(schema);
    }
  });

  it('refuses a database url that is not PostgreSQL, naming the key', async () => {
    await expect(
      openExecutionStore({ dataDir: '.roma', databaseUrl: 'mysql://x@y/z' }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      field: 'store.databaseUrl',
    });
  });
});

describe('openArtifactStore', () => {
  it('keeps files by default and uses S3 when a bucket is set', () => {
    expect(openArtifactStore({ dataDir: '.roma', s3Region: 'us-east-1' })).toBeInstanceOf(FileArtifactStore);
    const s3 = openArtifactStore({
      dataDir: '.roma',
      s3Region: 'us-east-1',
      s3Bucket: 'artifacts',
      s3Endpoint: 'http://127.0.0.1:9000',
    });
    expect(s3).toBeInstanceOf(S3ArtifactStore);
    (s3 as S3ArtifactStore).close();
  });

  it('refuses an endpoint without a bucket, naming the missing key', () => {
    expect(() =>
      openArtifactStore({ dataDir: '.roma', s3Region: 'us-east-1', s3Endpoint: 'http://127.0.0.1:9000' }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'store.s3Bucket' }));
  });
});
