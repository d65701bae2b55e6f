// Bounds of a live stream: heartbeat period, buffered bytes per client, how long a stalled client is waited for.

export interface StreamOptions {
  /** WebSocket ping / SSE comment period; a WebSocket client missing two pongs is dropped. */
  heartbeatMs: number;
  /** Bytes a client may have queued on the server; past it the stream pauses, and a stall drops the client. */
  maxBufferedBytes: number;
  /** How long a paused stream waits for the client to read before dropping it with a close reason. */
  slowClientTimeoutMs: number;
  /** Poll period for appends made by other processes (SQLite); PostgreSQL wakes by LISTEN/NOTIFY too. */
  pollIntervalMs: number;
  /** Bound on concurrent stream clients of one server. */
  maxClients: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 1_048_576,
  slowClientTimeoutMs: 10_000,
  pollIntervalMs: 100,
  maxClients: 1_000,
};
