// Turns whatever a model call throws into a RomaError: MODEL_CALL_FAILED (retryable from the status),
// CANCELLED, TIMEOUT or MODEL_OUTPUT_INVALID.
import { APICallError, NoObjectGeneratedError, RetryError } from 'ai';
import type { TokenUsage } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';
import type { CallSignal } from './call-signal.js';

/** Same rule as the AI SDK's retry: rate limits, server errors and no response at all are worth retrying. */
function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
}

function lastApiError(error: unknown): { apiError: APICallError | undefined; attempts: number } {
  if (RetryError.isInstance(error)) {
    const last = error.lastError;
    return { apiError: APICallError.isInstance(last) ? last : undefined, attempts: error.errors.length };
  }
  return { apiError: APICallError.isInstance(error) ? error : undefined, attempts: 1 };
}

export function toModelCallError(
  error: unknown,
  modelId: string,
  callSignal: CallSignal,
  timeoutMs: number,
): RomaError {
  if (error instanceof RomaError) return error;
  const stoppedBy = callSignal.stoppedBy(error);
  if (stoppedBy === 'cancelled' || stoppedBy === 'stopped') {
    return new RomaError('CANCELLED', `model call to ${modelId} was cancelled`, { cause: error });
  }
  if (stoppedBy === 'timeout') {
    return new RomaError('TIMEOUT', `model call to ${modelId} timed out after ${timeoutMs} ms`, {
      cause: error,
      retryable: true,
      fix: 'raise llm.timeoutMs or the call timeoutMs',
    });
  }
  if (NoObjectGeneratedError.isInstance(error)) return outputInvalid(modelId, error.text, error);
  const { apiError, attempts } = lastApiError(error);
  const status = apiError?.statusCode;
  const cause = apiError ?? (error instanceof Error ? error : undefined);
  const reason = cause?.message ?? String(error);
  const statusText = status === undefined ? 'no HTTP response' : `HTTP ${status}`;
  const attemptsText = attempts > 1 ? ` after ${attempts} attempts` : '';
  return new RomaError(
    'MODEL_CALL_FAILED',
    `model call to ${modelId} failed (${statusText}${attemptsText}): ${reason}`,
    {
      cause: error,
      retryable: isRetryableStatus(status),
      details: { modelId, ...(status === undefined ? {} : { status }), attempts },
      ...(status === 401 || status === 403 ? { fix: 'check the API key for this provider' } : {}),
    },
  );
}

interface IssueLike {
  path?: ReadonlyArray<PropertyKey>;
  message?: string;
}

function issuesOf(error: Error): IssueLike[] | undefined {
  const inner = error.cause as { issues?: unknown } | undefined;
  return inner && Array.isArray(inner.issues) ? (inner.issues as IssueLike[]) : undefined;
}

/**
 * One line a user can act on: the AI SDK's validation message embeds the value and the schema issues as
 * pretty-printed JSON over many lines; the value is already in `details.rawText`.
 */
function mismatchReason(cause: unknown): string {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : undefined;
  if (!inner) return cause instanceof Error ? cause.message : String(cause);
  const issues = issuesOf(inner);
  if (issues && issues.length > 0) {
    const shown = issues.slice(0, 5).map((issue) => {
      const path = issue.path && issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path}: ${issue.message ?? 'invalid'}`;
    });
    const more = issues.length > shown.length ? ` (+${issues.length - shown.length} more)` : '';
    return `${shown.join('; ')}${more}`;
  }
  return inner.message.replace(/\s+/g, ' ').trim();
}

/**
 * `usage` is what the rejected answer cost: it was generated and billed, so the caller records it (a re-ask
 * must not escape the token and cost budgets).
 */
export function outputInvalid(
  modelId: string,
  rawText: string | undefined,
  cause: unknown,
  usage?: TokenUsage,
): RomaError {
  const reason = mismatchReason(cause);
  return new RomaError(
    'MODEL_OUTPUT_INVALID',
    `model ${modelId} returned output that does not fit the schema: ${reason}`,
    {
      cause,
      details: { modelId, rawText: rawText ?? '', ...(usage ? { usage } : {}) },
    },
  );
}
