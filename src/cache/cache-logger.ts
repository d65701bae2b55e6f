// Where the cache reports trouble: an injected logger, and a helper that says each kind of trouble once.

export interface CacheLogger {
  warn(message: string): void;
  info?(message: string): void;
}

/** Default logger: stderr, so a cache problem never mixes into a command's stdout. */
export const stderrCacheLogger: CacheLogger = {
  warn(message) {
    process.stderr.write(`roma cache: warning: ${message}\n`);
  },
  info(message) {
    process.stderr.write(`roma cache: ${message}\n`);
  },
};

/** Logs a warning the first time a `kind` is seen; `reset(kind)` re-arms it (e.g. once Redis is back). */
export class WarnOnce {
  private readonly seen = new Set<string>();

  constructor(private readonly logger: CacheLogger) {}

  warn(kind: string, message: string): boolean {
    if (this.seen.has(kind)) return false;
    this.seen.add(kind);
    this.logger.warn(message);
    return true;
  }

  reset(kind: string): boolean {
    return this.seen.delete(kind);
  }

  has(kind: string): boolean {
    return this.seen.has(kind);
  }
}
