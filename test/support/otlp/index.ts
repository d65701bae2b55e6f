// A loopback OTLP/HTTP trace receiver for tests.
export type { OtlpReceiver, ReceivedSpan } from './otlp-receiver.js';
export { startOtlpReceiver } from './otlp-receiver.js';
