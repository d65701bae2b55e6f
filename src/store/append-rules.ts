// What a store checks inside an append's transaction: the log is closed after execution-end, and a takeover is atomic.
import type { ExecutionSummary, StreamEvent } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';

export interface AppendOptions {
  /**
   * Appends only while the execution's last seq is still this one, else CONFLICT and nothing is written. A
   * resumer passes the seq of the log it checked, so "nobody else runs it" and "now I run it" are one step:
   * of two resumers that read the same log, exactly one appends its `execution-resume`.
   */
  ifLastSeq?: number;
}

/** Throws CONFLICT when `event` may not follow the log summarised by `summary` (called under the append lock). */
export function checkAppend(summary: ExecutionSummary, event: StreamEvent, options: AppendOptions): void {
  if (options.ifLastSeq !== undefined && summary.lastSeq !== options.ifLastSeq) {
    throw new RomaError(
      'CONFLICT',
      `execution ${summary.id} moved on (seq ${summary.lastSeq}, expected ${options.ifLastSeq}): another process appended to it first`,
      {
        field: 'executionId',
        details: { executionId: summary.id, lastSeq: summary.lastSeq, expectedLastSeq: options.ifLastSeq },
        fix: `see who runs it with \`roma runs show ${summary.id}\`; resume it only once that process has ended`,
      },
    );
  }
  // An ended run takes only a resume (which opens a new segment): a late writer must not add to a closed log.
  if (summary.status !== 'RUNNING' && event.type !== 'execution-resume') {
    throw new RomaError(
      'CONFLICT',
      `execution ${summary.id} ended (${summary.status}); no ${event.type} can follow its execution-end`,
      {
        field: 'executionId',
        details: { executionId: summary.id, status: summary.status, type: event.type },
        fix: `resume it first with \`roma runs resume ${summary.id}\``,
      },
    );
  }
}

/** Refuses a malformed `ifLastSeq` before any transaction starts. */
export function validateAppendOptions(options: AppendOptions): AppendOptions {
  const expected = options.ifLastSeq;
  if (expected !== undefined && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new RomaError(
      'VALIDATION_FAILED',
      `ifLastSeq: expected a whole number >= 0, got ${String(expected)}`,
      {
        field: 'ifLastSeq',
        fix: 'pass the lastSeq of the log you read (0 for an empty log)',
      },
    );
  }
  return options;
}
