// Every pooled PostgreSQL client is heard from the moment it exists, so a dropped connection can never become an
// unhandled 'error' event that ends the process.
import type pg from 'pg';

/**
 * node-postgres emits 'error' on a client whose connection drops (57P01, "Connection terminated unexpectedly").
 * pg-pool listens only while a client is idle; between check-out and the caller's own listener there is a window
 * (the FATAL message can arrive in the same socket read that completed the check-out), and an 'error' with no
 * listener crashes Node. One listener per client, attached when the pool creates it and never removed, closes
 * every window; the returned `isBroken` tells a caller to discard the client instead of returning it to the pool.
 */
export interface ClientErrorGuard {
  isBroken(client: pg.PoolClient): boolean;
}

export function guardPoolClientErrors(pool: pg.Pool): ClientErrorGuard {
  const broken = new WeakSet<pg.PoolClient>();
  // An idle client losing its connection is reported by the pool itself; the next query reports the failure.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => broken.add(client));
  });
  return { isBroken: (client) => broken.has(client) };
}
