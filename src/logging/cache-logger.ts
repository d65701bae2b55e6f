// The cache's trouble reports (Redis down, noeviction…) as lines of the process's logger.
import type { Logger } from 'pino';
import type { CacheLogger } from '../cache/index.js';

export function cacheLoggerOf(logger: Logger): CacheLogger {
  const cache = logger.child({ component: 'cache' });
  return {
    warn: (message) => cache.warn(message),
    info: (message) => cache.info(message),
  };
}
