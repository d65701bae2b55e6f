// Bounded retries for Daytona calls that are safe to repeat (upload, download, list, delete) — never
// for creating a sandbox or running code.

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') return RETRYABLE_STATUS.has(status);
  // No status: the request never got an answer (connection reset, refused, DNS).
  return /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|socket hang up|network/i.test(error.message);
}

export async function withRetries<T>(call: () => Promise<T>, attempts = 3, backoffMs = 250): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await call();
    } catch (error) {
      lastError = error;
      if (attempt === attempts || !isRetryable(error)) break;
      await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
    }
  }
  throw lastError;
}
