// A PostgreSQL schema or database of one test's own on the test server, dropped when the test is done.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL =
  process.env.ROMA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs `work` on a connection of its own (not the store's). */
export async function adminQuery<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** `roma_test_<hex>`: a name (schema, database, application_name) no other test run uses. */
export function uniqueTestName(hexDigits = 32): string {
  return `roma_test_${randomUUID().replaceAll('-', '').slice(0, hexDigits)}`;
}

export async function dropTestSchema(schema: string): Promise<void> {
  await adminQuery((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

export interface TestDatabase {
  name: string;
  /** TEST_DATABASE_URL pointed at this database. */
  url: string;
  drop(): Promise<void>;
}

/** A database of its own, for processes (the CLI, workers) that use the default schema. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = uniqueTestName(20);
  await adminQuery((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await adminQuery((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
