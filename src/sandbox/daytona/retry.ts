// Bounded retries for Daytona calls that are safe to repeat (upload, download, list, delete; create and code
// execution only on answers that say nothing was done, such as 429).

const RETRYABLE_STATUS = [408, 429, 500, 502, 503, 504] as const;
/** An answer that says the request was refused before anything happened: safe even for code execution. */
export const NOT_ACTED_ON_STATUS = [429] as const;

interface RetryOptions {
  attempts?: number;
  backoffMs?: number;
  /** Statuses worth another try (default: 408, 429 and 5xx); a request that got no answer is retried too. */
  statuses?: readonly number[];
  /** Retry when no answer came at all (connection refused or reset). Default true. */
  retryWithoutAnswer?: boolean;
}

export function errorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function isRetryable(error: unknown, options: RetryOptions = {}): boolean {
  if (!(error instanceof Error)) return false;
  const status = errorStatus(error);
  if (status !== undefined) return (options.statuses ?? RETRYABLE_STATUS).includes(status);
  if (options.retryWithoutAnswer === false) return false;
  // No status: the request never got an answer (connection reset, refused, DNS).
  return /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|socket hang up|network/i.test(error.message);
}

export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 250;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await call();
    } catch (error) {
      lastError = error;
      if (attempt === attempts || !isRetryable(error, options)) break;
      await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
    }
  }
  throw lastError;
}
