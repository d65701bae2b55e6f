// The messages between the SQLite store and its append worker, and how errors cross the thread boundary.
import { type ErrorCode, RomaError } from '../contracts/index.js';
import type { GroupCommitOutcome } from './group-commit.js';
import type { PendingAppend } from './sqlite-append-writer.js';
import type { SqliteConnectionOptions } from './sqlite-connection.js';

/** Where one store's connection in the worker goes: its file and settings. */
export interface AppendConnectionSettings extends SqliteConnectionOptions {
  filePath: string;
}

/** `connection` names one store's connection in the process's one worker. */
export type ToAppendWorker =
  | { kind: 'open'; connection: number; settings: AppendConnectionSettings }
  | { kind: 'commit'; connection: number; batch: PendingAppend[] }
  | { kind: 'close'; connection: number };

/** A RomaError as plain data (a class instance loses its prototype when posted). */
export interface PostedRomaError {
  code: ErrorCode;
  message: string;
  field?: string;
  fix?: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

/** A failure of the whole transaction: the SQLite error's message and code (SQLITE_BUSY is retryable). */
export interface PostedFailure {
  message: string;
  code: string | undefined;
}

export type FromAppendWorker =
  | {
      kind: 'committed';
      connection: number;
      outcomes: Array<{ ok: true; value: number } | { ok: false; error: PostedRomaError }>;
      appendedTo: string[];
      commitMs: number;
    }
  | { kind: 'failed'; connection: number; failure: PostedFailure; commitMs: number }
  | { kind: 'closed'; connection: number };

export function postRomaError(error: RomaError): PostedRomaError {
  return {
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    ...(error.field === undefined ? {} : { field: error.field }),
    ...(error.fix === undefined ? {} : { fix: error.fix }),
    ...(error.details === undefined ? {} : { details: error.details }),
  };
}

export function receiveRomaError(posted: PostedRomaError): RomaError {
  return new RomaError(posted.code, posted.message, {
    retryable: posted.retryable,
    ...(posted.field === undefined ? {} : { field: posted.field }),
    ...(posted.fix === undefined ? {} : { fix: posted.fix }),
    ...(posted.details === undefined ? {} : { details: posted.details }),
  });
}

export function postFailure(error: unknown): PostedFailure {
  return {
    message: error instanceof Error ? error.message : String(error),
    code:
      (error as { code?: unknown }).code === undefined
        ? undefined
        : String((error as { code?: unknown }).code),
  };
}

/** An Error carrying the SQLite code, as the store's own connection would have thrown it. */
export function receiveFailure(failure: PostedFailure): Error {
  return Object.assign(new Error(failure.message), failure.code === undefined ? {} : { code: failure.code });
}

export function receiveOutcomes(
  outcomes: Extract<FromAppendWorker, { kind: 'committed' }>['outcomes'],
): Array<GroupCommitOutcome<number>> {
  return outcomes.map((outcome) =>
    outcome.ok ? outcome : { ok: false, error: receiveRomaError(outcome.error) },
  );
}
