// Logging of roma-ptc: a pino logger to stderr with secret scrubbing.

export { cacheLoggerOf } from './cache-logger.js';
export type { Logger } from './logger.js';
export { createLogger, createLoggerFromConfig } from './logger.js';
export { terminalLine } from './terminal-lines.js';
