// The one line `roma` prints for a failed command: code, field, message and fix, without saying the field twice.
import type { RomaError } from '../../contracts/index.js';

/** Messages built from a parse result already start with their field (`file.jsonl:3: …`); skip the repeat. */
export function errorLine(error: RomaError): string {
  const field = error.field;
  // A list of problems (e.g. every config mistake at once) names each field on its own line already.
  if (error.message.includes('\n')) return `roma: ${error.code} ${error.message}`;
  if (!field || !error.message.startsWith(`${field}:`)) return `roma: ${error.toLine()}`;
  const fix = error.fix ? ` — ${error.fix}` : '';
  return `roma: ${error.code} ${error.message}${fix}`;
}
