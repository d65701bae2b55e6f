// PostgreSQL fault injection for tests: terminate a store's server processes, or cut its network path.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import pg from 'pg';

export const TEST_DATABASE_URL =
  process.env.ROMA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATABASE_URL = TEST_DATABASE_URL;

/** Runs `work` on a connection of its own (not the store's). */
export async function adminQuery<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Ends every server process serving connections named `applicationName`; returns how many. */
export async function terminateBackends(applicationName: string): Promise<number> {
  return adminQuery(async (client) => {
    const result = await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [applicationName],
    );
    return result.rowCount ?? 0;
  });
}

/** A TCP proxy to PostgreSQL the test can cut (every connection closed, new ones refused) and restore. */
export class CuttablePostgresProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    const target = new URL(DATABASE_URL);
    const server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.#server = server;
  }

  url(): string {
    const url = new URL(DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
