// Retries a module whose answer was malformed or invalid, feeding the problem back; bounded by maxOutputRetries.
import { RomaError, toRomaError } from '../../contracts/index.js';

/** Codes that mean "the model answered, but not in the shape asked for" — worth asking again. */
const MALFORMED_CODES = new Set(['MODEL_OUTPUT_INVALID', 'VALIDATION_FAILED']);

function isMalformedOutput(error: unknown): boolean {
  return error instanceof RomaError && MALFORMED_CODES.has(error.code);
}

type AttemptResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Runs `attempt` up to 1 + maxRetries times. A malformed answer (or one `attempt` rejects) is fed back as
 * `feedback` to the next try; any other error (model down, cancelled) is thrown at once.
 * Returns the value, or the problems of every try.
 */
export async function withOutputRetries<T>(
  maxRetries: number,
  signal: AbortSignal,
  attempt: (feedback: string | undefined) => Promise<AttemptResult<T>>,
): Promise<{ ok: true; value: T } | { ok: false; problems: string[] }> {
  const problems: string[] = [];
  let feedback: string | undefined;
  for (let tryIndex = 0; tryIndex <= maxRetries; tryIndex += 1) {
    let result: AttemptResult<T>;
    try {
      result = await attempt(feedback);
    } catch (error) {
      if (signal.aborted || !isMalformedOutput(error)) throw error;
      result = { ok: false, problem: toRomaError(error).message };
    }
    if (result.ok) return result;
    problems.push(result.problem);
    feedback = result.problem;
  }
  return { ok: false, problems };
}
