// Mapping between stored rows and contract objects, plus the store's error wrapping, shared by both backends.

import { z } from 'zod';
import type { ExecutionSummary } from '../contracts/index.js';
import {
  ExecutionSummarySchema,
  isRomaError,
  parseOrThrow,
  parseWith,
  RomaError,
} from '../contracts/index.js';

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

function toIso(value: string | Date): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function summaryFromColumns(row: ExecutionColumns): ExecutionSummary {
  const parsed = parseWith(
    ExecutionSummarySchema,
    {
      id: row.id,
      goal: row.goal,
      status: row.status,
      createdAt: toIso(row.created_at),
      updatedAt: toIso(row.updated_at),
      // Postgres returns bigint columns as strings.
      lastSeq: Number(row.last_seq),
      usage: {
        inputTokens: Number(row.input_tokens),
        outputTokens: Number(row.output_tokens),
        cachedInputTokens: Number(row.cached_input_tokens),
        costUsd: Number(row.cost_usd),
      },
      nodeCount: Number(row.node_count),
      result: row.result,
    },
    'storedExecution',
  );
  if (parsed.ok) return parsed.value;
  throw new RomaError('STORE_FAILED', `stored execution ${row.id} is invalid: ${parsed.message}`);
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
