// A stored execution row becomes a summary only when it is one: the checks of ExecutionSummarySchema, written out.
import { describe, expect, it } from 'vitest';
import { ExecutionSummarySchema, RomaError } from '../contracts/index.js';
import { type ExecutionColumns, summaryFromColumns } from './store-rows.js';

const row: ExecutionColumns = {
  id: 'run-1',
  goal: 'Survey the districts',
  status: 'RUNNING',
  created_at: new Date('2026-11-27T10:00:00.000Z'),
  updated_at: '2026-11-27 10:00:01.5+00',
  // As PostgreSQL returns bigint columns: text.
  last_seq: '12',
  input_tokens: '900',
  output_tokens: 100,
  cached_input_tokens: 0,
  cost_usd: '0.0125',
  node_count: 3,
  result: null,
};

describe('summaryFromColumns', () => {
  it('turns a stored row (Date or text times, bigint text) into a summary the schema accepts', () => {
    const summary = summaryFromColumns(row);
    expect(summary).toEqual({
      id: 'run-1',
      goal: 'Survey the districts',
      status: 'RUNNING',
      createdAt: '2026-11-27T10:00:00.000Z',
      updatedAt: '2026-11-27T10:00:01.500Z',
      lastSeq: 12,
      usage: { inputTokens: 900, outputTokens: 100, cachedInputTokens: 0, costUsd: 0.0125 },
      nodeCount: 3,
      result: null,
    });
    expect(ExecutionSummarySchema.parse(summary)).toEqual(summary);
    expect(summaryFromColumns({ ...row, status: 'COMPLETED', result: 'done' }).result).toBe('done');
  });

  it.each<[string, Partial<ExecutionColumns>]>([
    ['status', { status: 'SLEEPING' }],
    ['lastSeq', { last_seq: '-1' }],
    ['lastSeq', { last_seq: '1.5' }],
    ['usage.inputTokens', { input_tokens: 'many' }],
    ['usage.costUsd', { cost_usd: '-0.5' }],
    ['nodeCount', { node_count: Number.NaN }],
    ['createdAt', { created_at: 'not a time' }],
    ['goal', { goal: '' }],
    ['result', { result: 42 as unknown as string }],
  ])('refuses a row whose %s is not valid (STORE_FAILED)', (field, change) => {
    let caught: unknown;
    try {
      summaryFromColumns({ ...row, ...change });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RomaError);
    expect(caught).toMatchObject({ code: 'STORE_FAILED' });
    expect((caught as RomaError).message).toContain(`storedExecution.${field}`);
  });
});
