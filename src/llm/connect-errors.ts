// A refused connection to a model endpoint is a wrong URL or a stopped server, not an overload: fail at once, say where.
import { RomaError } from '../contracts/index.js';
import { modelFetch } from './model-fetch.js';

/** Connection failures that retrying with backoff does not cure. */
const DEAD_ENDPOINT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND']);

function errorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    // undici reports a refused connection to `localhost` (IPv4 and IPv6) as an AggregateError.
    const inner = (current as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner.length > 0) {
      const codes = inner.map(errorCode);
      if (codes.every((innerCode) => innerCode !== undefined && DEAD_ENDPOINT_CODES.has(innerCode)))
        return codes[0];
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Scheme, host, port and path of a request URL: no credentials, no query. */
function endpointOf(input: Parameters<typeof fetch>[0]): string {
  const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * A `fetch` for the AI SDK providers. A refused connection becomes a RomaError MODEL_CALL_FAILED that is not
 * retryable; it carries no network `cause`, which the SDK would otherwise turn back into a retryable error
 * and retry with 2, 4, 8 s of backoff.
 */
export function refusedConnectionFailsFast(field: string, envVar: string): typeof fetch {
  return async (input, init) => {
    try {
      return await modelFetch(input, init);
    } catch (error) {
      const code = errorCode(error);
      if (code === undefined || !DEAD_ENDPOINT_CODES.has(code)) throw error;
      const endpoint = endpointOf(input);
      const what = code === 'ENOTFOUND' ? 'host not found' : 'connection refused: nothing listens there';
      throw new RomaError('MODEL_CALL_FAILED', `cannot reach the model server at ${endpoint} (${what})`, {
        field,
        retryable: false,
        fix: `start the model server, or set ${envVar} (${field}) to the URL it listens on`,
        details: { endpoint, code },
      });
    }
  };
}
