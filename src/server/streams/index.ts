// Live streams of a run's events over WebSocket and SSE, resumable after any seq.
export { StreamClients } from './event-pump.js';
export { sseResponse } from './sse-stream.js';
export type { StreamOptions } from './stream-options.js';
export { DEFAULT_STREAM_OPTIONS } from './stream-options.js';
export { serveWebSocketStream } from './ws-stream.js';
