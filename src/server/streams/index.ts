// Live streams of a run's events over WebSocket and SSE, resumable after any seq.
export type { EventSink, PumpEnd } from './event-pump.js';
export { pumpEvents, StreamClients } from './event-pump.js';
export { sseResponse } from './sse-stream.js';
export type { StreamOptions } from './stream-options.js';
export { DEFAULT_STREAM_OPTIONS } from './stream-options.js';
export { CLOSE_SLOW_CLIENT, serveWebSocketStream } from './ws-stream.js';
