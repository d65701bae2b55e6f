// PostgreSQL fault injection for tests: terminate a store's server processes, or cut its network path.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { adminQuery, TEST_DATABASE_URL } from './test-database.js';

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
  /**
   * How many of the next new connections get a FATAL 57P01 ErrorResponse in the same write as their first
   * ReadyForQuery, then a closed socket: what a server does when `pg_terminate_backend` lands just as a
   * connection becomes ready, arranged so the client reads both in one chunk.
   */
  fatalOnReadyConnections = 0;

  async open(): Promise<void> {
    const target = new URL(TEST_DATABASE_URL);
    const server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      if (this.fatalOnReadyConnections > 0) {
        this.fatalOnReadyConnections -= 1;
        injectFatalAfterFirstReady(upstream, client);
      } else {
        upstream.pipe(client);
      }
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
    const url = new URL(TEST_DATABASE_URL);
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

// One PostgreSQL ErrorResponse: severity FATAL, SQLSTATE 57P01 (admin_shutdown), as pg_terminate_backend sends.
function adminShutdownMessage(): Buffer {
  const fields = Buffer.concat([
    Buffer.from('SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0', 'utf8'),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0, 'ascii');
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/** Forwards server messages until the first ReadyForQuery ('Z'), sends it with a FATAL appended, then closes. */
function injectFatalAfterFirstReady(upstream: Socket, client: Socket): void {
  let pending = Buffer.alloc(0);
  let done = false;
  upstream.on('data', (chunk: Buffer) => {
    if (done) return;
    pending = Buffer.concat([pending, chunk]);
    let offset = 0;
    // Walks whole messages (type byte, then a 4-byte length that counts itself); bounded by the bytes received.
    while (pending.length - offset >= 5) {
      const length = pending.readInt32BE(offset + 1);
      if (pending.length - offset < 1 + length) break;
      const type = String.fromCharCode(pending[offset] ?? 0);
      offset += 1 + length;
      if (type === 'Z') {
        done = true;
        client.end(Buffer.concat([pending.subarray(0, offset), adminShutdownMessage()]));
        upstream.destroy();
        return;
      }
    }
    client.write(pending.subarray(0, offset));
    pending = pending.subarray(offset);
  });
}
