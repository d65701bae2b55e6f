// The one place an error code becomes an HTTP status and a JSON error body, for every HTTP service.
import type { ApiErrorBody, ErrorCode, RomaError } from '../contracts/index.js';

const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  CONFIG_INVALID: 400,
  PLAN_INVALID: 422,
  ILLEGAL_TRANSITION: 409,
  CONFLICT: 409,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  MODEL_NOT_CONFIGURED: 503,
  NO_CODE_EXECUTOR: 503,
  SANDBOX_UNAVAILABLE: 503,
  MODEL_CALL_FAILED: 502,
  MODEL_OUTPUT_INVALID: 502,
  TOOL_FAILED: 502,
  TIMEOUT: 504,
  BUDGET_EXCEEDED: 429,
  CANCELLED: 499,
  TASK_FAILED: 500,
  DEPENDENCY_FAILED: 500,
  STORE_FAILED: 500,
  CACHE_FAILED: 500,
  SANDBOX_FAILED: 500,
  SANDBOX_LIMIT: 500,
  PTC_FAILED: 500,
  INTERNAL: 500,
};

/** HTTP status of an error code; unknown codes are server errors. */
export function httpStatusFor(code: string): number {
  return (STATUS_BY_CODE as Record<string, number>)[code] ?? 500;
}

export function errorBody(
  error: Pick<RomaError, 'code' | 'message'> & {
    field?: string | undefined;
    retryable?: boolean;
    fix?: string | undefined;
  },
): ApiErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
      ...(error.retryable === undefined ? {} : { retryable: error.retryable }),
      ...(error.fix ? { fix: error.fix } : {}),
    },
  };
}

/** A JSON error response with the status of its code (a web `Response`, usable from any handler). */
export function errorResponse(
  error: Parameters<typeof errorBody>[0],
  status = httpStatusFor(error.code),
): Response {
  return new Response(JSON.stringify(errorBody(error)), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}
