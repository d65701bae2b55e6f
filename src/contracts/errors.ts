// Typed errors shared by every part: a stable `code`, the offending field, and whether a retry can help.

/** Every error code the system raises; HTTP status is mapped from these only in `server/`. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'CONFIG_INVALID',
  'MODEL_NOT_CONFIGURED',
  'MODEL_CALL_FAILED',
  'MODEL_OUTPUT_INVALID',
  'PLAN_INVALID',
  'TASK_FAILED',
  'DEPENDENCY_FAILED',
  'NO_CODE_EXECUTOR',
  'BUDGET_EXCEEDED',
  'CANCELLED',
  'TIMEOUT',
  'ILLEGAL_TRANSITION',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'STORE_FAILED',
  'CACHE_FAILED',
  'SANDBOX_UNAVAILABLE',
  'SANDBOX_FAILED',
  'SANDBOX_LIMIT',
  'TOOL_FAILED',
  'PTC_FAILED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

interface RomaErrorOptions {
  /** Dotted path of the offending input field, e.g. `limits.maxIterations`. */
  field?: string;
  /** True when the same call may succeed if repeated (network blips, 429, 5xx). */
  retryable?: boolean;
  /** What the user can do about it; shown after the message. */
  fix?: string;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class RomaError extends Error {
  override readonly name: string = 'RomaError';
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retryable: boolean;
  readonly fix: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: RomaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.retryable = options.retryable ?? false;
    this.fix = options.fix;
    this.details = options.details;
  }

  /** One line for a terminal: `CODE field: message (fix)`. */
  toLine(): string {
    const field = this.field ? ` ${this.field}:` : '';
    const fix = this.fix ? ` — ${this.fix}` : '';
    return `${this.code}${field} ${this.message}${fix}`;
  }

  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.field === undefined ? {} : { field: this.field }),
      retryable: this.retryable,
      ...(this.fix === undefined ? {} : { fix: this.fix }),
    };
  }
}

interface SerializedError {
  code: string;
  message: string;
  field?: string;
  retryable?: boolean;
  fix?: string;
}

export function isRomaError(value: unknown): value is RomaError {
  return value instanceof RomaError;
}

/** Wraps anything thrown into a RomaError, keeping an existing one as it is. */
export function toRomaError(value: unknown, fallbackCode: ErrorCode = 'INTERNAL'): RomaError {
  if (value instanceof RomaError) return value;
  if (value instanceof Error) return new RomaError(fallbackCode, value.message, { cause: value });
  return new RomaError(fallbackCode, String(value));
}
