// Which PostgreSQL failures are a lost connection worth another try, and how long to wait between tries.
import { setTimeout as sleep } from 'node:timers/promises';

// Connection-level failures (refused, reset, server shutting down or restarting, failover) and serialisation
// conflicts are worth retrying; SQL errors are not.
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown: pg_terminate_backend, a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, or a standby being promoted
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '40001',
  '40P01',
]);
// node-postgres reports a socket closed under it with these messages and no code.
const RETRYABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed/i;

export function isRetryablePostgresError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  if (typeof message === 'string' && RETRYABLE_MESSAGE.test(message)) return true;
  // A RomaError wrapping one (STORE_FAILED with the pg error as cause).
  return cause !== undefined && cause !== error && isRetryablePostgresError(cause);
}

export interface PostgresRetryOptions {
  /** Tries of one operation in all (default 6); 1 turns retrying off. */
  attempts?: number;
  /** Wait before the second try, doubled each time up to `maxDelayMs` (defaults 100 and 2000). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export function retryPolicy(options: PostgresRetryOptions = {}): RetryPolicy {
  const bounded = (value: number | undefined, fallback: number, low: number, high: number) =>
    Math.min(Math.max(Math.floor(value ?? fallback), low), high);
  return {
    attempts: bounded(options.attempts, 6, 1, 20),
    initialDelayMs: bounded(options.initialDelayMs, 100, 1, 10_000),
    maxDelayMs: bounded(options.maxDelayMs, 2_000, 1, 60_000),
  };
}

/** Waits before try `attempt + 1`; ends early (without throwing) when the signal aborts. */
export async function backoff(policy: RetryPolicy, attempt: number, signal: AbortSignal): Promise<void> {
  const delayMs = Math.min(policy.initialDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  await sleep(delayMs, undefined, { signal }).catch(() => undefined);
}
