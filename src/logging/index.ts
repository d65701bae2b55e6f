// Logging of roma-ptc: a pino logger to stderr with secret scrubbing.

export { cacheLoggerOf } from './cache-logger.js';
export type { CreateLoggerOptions, Logger, LogLevel } from './logger.js';
export { createLogger, createLoggerFromConfig } from './logger.js';
export { terminalLine } from './terminal-lines.js';
