// Mapping between stored rows and contract objects, plus the store's error wrapping, shared by both backends.

import { z } from 'zod';
import type { ExecutionStatus, ExecutionSummary } from '../contracts/index.js';
import { EXECUTION_STATUSES, isRomaError, parseOrThrow, RomaError } from '../contracts/index.js';

export interface ExecutionColumns {
  id: string;
  goal: string;
  status: string;
  created_at: string | Date;
  updated_at: string | Date;
  last_seq: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  cached_input_tokens: number | string;
  cost_usd: number | string;
  node_count: number | string;
  result: string | null;
}

export const EXECUTION_COLUMN_LIST =
  'id, goal, status, created_at, updated_at, last_seq, input_tokens, output_tokens, cached_input_tokens, cost_usd, node_count, result';

/** Column order of an insert: the identity columns, then `summaryValues`. */
export const INSERT_COLUMN_LIST =
  'id, goal, created_at, status, updated_at, last_seq, input_tokens, output_tokens, cached_input_tokens, cost_usd, node_count, result';

const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 10_000;

const CreateExecutionInputSchema = z.object({ id: z.string().min(1).max(200), goal: z.string().min(1) });

export function validateCreateInput(input: unknown): { id: string; goal: string } {
  return parseOrThrow(CreateExecutionInputSchema, input, 'execution');
}

const STATUSES: ReadonlySet<string> = new Set(EXECUTION_STATUSES);

/**
 * A stored row as a summary, with the checks ExecutionSummarySchema makes, written out: every append reads its
 * execution's row under the lock, and the schema's parse was a tenth of a millisecond of a queue worker's step.
 */
export function summaryFromColumns(row: ExecutionColumns): ExecutionSummary {
  const invalid = (what: string) =>
    new RomaError('STORE_FAILED', `stored execution ${row.id} is invalid: storedExecution.${what}`);
  const count = (value: number | string, what: string): number => {
    // Postgres returns bigint columns as strings.
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number < 0) throw invalid(`${what}: expected a whole number >= 0`);
    return number;
  };
  const time = (value: string | Date, what: string): string => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) throw invalid(`${what}: expected a timestamp`);
    return date.toISOString();
  };
  if (typeof row.id !== 'string' || row.id === '') throw invalid('id: expected a non-empty string');
  if (typeof row.goal !== 'string' || row.goal === '') throw invalid('goal: expected a non-empty string');
  if (!STATUSES.has(row.status)) throw invalid(`status: "${row.status}" is not a status`);
  const costUsd = Number(row.cost_usd);
  if (!Number.isFinite(costUsd) || costUsd < 0) throw invalid('usage.costUsd: expected a number >= 0');
  if (row.result !== null && typeof row.result !== 'string') throw invalid('result: expected text or null');
  return {
    id: row.id,
    goal: row.goal,
    status: row.status as ExecutionStatus,
    createdAt: time(row.created_at, 'createdAt'),
    updatedAt: time(row.updated_at, 'updatedAt'),
    lastSeq: count(row.last_seq, 'lastSeq'),
    usage: {
      inputTokens: count(row.input_tokens, 'usage.inputTokens'),
      outputTokens: count(row.output_tokens, 'usage.outputTokens'),
      cachedInputTokens: count(row.cached_input_tokens, 'usage.cachedInputTokens'),
      costUsd,
    },
    nodeCount: count(row.node_count, 'nodeCount'),
    result: row.result,
  };
}

/** The values of the columns a fold changes: INSERT_COLUMN_LIST after created_at, and the UPDATE order. */
export function summaryValues(summary: ExecutionSummary): Array<string | number | null> {
  return [
    summary.status,
    summary.updatedAt,
    summary.lastSeq,
    summary.usage.inputTokens,
    summary.usage.outputTokens,
    summary.usage.cachedInputTokens,
    summary.usage.costUsd,
    summary.nodeCount,
    summary.result,
  ];
}

export function clampListLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  return Math.min(Math.max(1, Math.floor(limit)), MAX_LIST_LIMIT);
}

export function notFound(executionId: string): RomaError {
  return new RomaError('NOT_FOUND', `execution ${executionId} does not exist`, {
    field: 'executionId',
    fix: 'list runs with `roma runs list`',
  });
}

export function conflict(executionId: string): RomaError {
  return new RomaError('CONFLICT', `execution ${executionId} already exists`, {
    field: 'id',
    fix: 'use a new execution id, or resume the existing run with `roma runs resume <id>`',
  });
}

export function closedStore(): RomaError {
  return new RomaError('STORE_FAILED', 'the execution store is closed', {
    fix: 'open a new store; this one was closed',
  });
}

/** Keeps a RomaError as it is; anything else becomes STORE_FAILED naming what the store was doing. */
export function storeFailure(error: unknown, action: string, retryable: boolean): RomaError {
  if (isRomaError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RomaError('STORE_FAILED', `${action} failed: ${message}`, { cause: error, retryable });
}
