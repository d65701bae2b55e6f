// The end of one task as its parent sees it, and how a thrown error becomes one (cause chain kept).
import type { TaskError } from '../../contracts/index.js';
import { RomaError, toRomaError } from '../../contracts/index.js';

export type TaskOutcome =
  | { status: 'COMPLETED'; result: string }
  | { status: 'FAILED' | 'CANCELLED'; error: TaskError };

type CauseLink = NonNullable<TaskError['cause']>[number];

/** A RomaError carrying its task error's cause chain in `details.causeChain`. */
export function chainedError(
  code: 'TASK_FAILED' | 'DEPENDENCY_FAILED',
  message: string,
  cause: { taskId: string; error: TaskError },
): RomaError {
  const chain: CauseLink[] = [
    { taskId: cause.taskId, code: cause.error.code, message: cause.error.message },
    ...(cause.error.cause ?? []),
  ];
  return new RomaError(code, message, { details: { causeChain: chain, taskId: cause.taskId } });
}

export function taskErrorOf(error: RomaError): TaskError {
  const chain = error.details?.causeChain as CauseLink[] | undefined;
  return {
    code: error.code,
    message: error.message,
    ...(chain && chain.length > 0 ? { cause: chain } : {}),
  };
}

/** Cancelled when the task's signal was aborted (run stop, cancel, failed sibling); failed otherwise. */
export function outcomeFromError(error: unknown, signal: AbortSignal): TaskOutcome {
  if (signal.aborted) {
    const reason = toRomaError(signal.reason, 'CANCELLED');
    return { status: 'CANCELLED', error: taskErrorOf(reason) };
  }
  return { status: 'FAILED', error: taskErrorOf(toRomaError(error, 'TASK_FAILED')) };
}
