// LISTEN/NOTIFY for PostgreSQL followers: an append committed by any process wakes this process's followers at
// once; polling stays as the fallback while the listening connection is down.
import pg from 'pg';
import { quoteIdentifier } from './postgres-migrations.js';

/** Longest channel name PostgreSQL keeps (NAMEDATALEN - 1). */
const MAX_CHANNEL_BYTES = 63;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/** The NOTIFY channel of a schema's appends; the payload is `<last seq>:<execution id>` (appendPayloadSql). */
export function appendChannel(schema: string): string {
  return `roma_appended_${schema}`.slice(0, MAX_CHANNEL_BYTES);
}

/**
 * The payload of an append's NOTIFY, built in SQL from the statement's parameters: the log's new last seq lets
 * a follower skip the read when it has read that far already. The seq goes first, so any id parses back whole.
 */
export function appendPayloadSql(executionIdParameter: string, lastSeqParameter: string): string {
  return `${lastSeqParameter}::text || ':' || ${executionIdParameter}`;
}

/** The execution id and last seq of a payload; a bare id (an older writer) has no seq. */
export function parseAppendPayload(payload: string): { executionId: string; lastSeq: number | undefined } {
  const match = /^(\d+):/.exec(payload);
  if (!match) return { executionId: payload, lastSeq: undefined };
  return { executionId: payload.slice(match[0].length), lastSeq: Number(match[1]) };
}

export class PostgresAppendListener {
  readonly #connectionString: string;
  readonly #channel: string;
  readonly #onAppend: (executionId: string, lastSeq: number | undefined) => void;
  readonly #closedSignal: AbortSignal;
  readonly #onListening: () => void;
  #client: pg.Client | null = null;
  #starting = false;
  #reconnectDelayMs = RECONNECT_MIN_MS;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: {
    connectionString: string;
    channel: string;
    onAppend: (executionId: string, lastSeq: number | undefined) => void;
    closedSignal: AbortSignal;
    /** Called each time LISTEN is (re-)established: what was committed while it was down was not heard. */
    onListening?: () => void;
  }) {
    this.#onListening = options.onListening ?? (() => undefined);
    this.#connectionString = options.connectionString;
    this.#channel = options.channel;
    this.#onAppend = options.onAppend;
    this.#closedSignal = options.closedSignal;
    this.#closedSignal.addEventListener('abort', () => void this.#stop(), { once: true });
  }

  /** True while a LISTEN connection is up. */
  get listening(): boolean {
    return this.#client !== null;
  }

  /** Starts listening once (idempotent); failures are retried in the background with a bounded backoff. */
  ensureStarted(): void {
    if (this.#client || this.#starting || this.#timer || this.#closedSignal.aborted) return;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    this.#starting = true;
    this.#timer = undefined;
    const client = new pg.Client({
      connectionString: this.#connectionString,
      connectionTimeoutMillis: 10_000,
      application_name: 'roma-listen',
      // Dead peers are noticed by TCP keepalive rather than by a follower waiting forever.
      keepAlive: true,
    });
    const lost = () => {
      if (this.#client === client) this.#client = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      this.#scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel !== this.#channel || !message.payload) return;
        const { executionId, lastSeq } = parseAppendPayload(message.payload);
        if (executionId) this.#onAppend(executionId, lastSeq);
      });
      await client.query(`LISTEN ${quoteIdentifier(this.#channel)}`);
      if (this.#closedSignal.aborted) {
        await client.end().catch(() => undefined);
        return;
      }
      this.#client = client;
      this.#reconnectDelayMs = RECONNECT_MIN_MS;
      this.#onListening();
    } catch {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.#scheduleReconnect();
    } finally {
      this.#starting = false;
    }
  }

  #scheduleReconnect(): void {
    if (this.#closedSignal.aborted || this.#timer) return;
    const delay = this.#reconnectDelayMs;
    this.#reconnectDelayMs = Math.min(RECONNECT_MAX_MS, this.#reconnectDelayMs * 2);
    this.#timer = setTimeout(() => void this.#connect(), delay);
    this.#timer.unref?.();
  }

  async #stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
