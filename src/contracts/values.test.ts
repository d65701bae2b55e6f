// Artifact, TokenUsage and the API bodies: good and bad examples, and usage arithmetic.
import { describe, expect, it } from 'vitest';
import {
  ApiErrorBodySchema,
  ArtifactSchema,
  addUsage,
  ExecutionSummarySchema,
  emptyUsage,
  PtcStatsSchema,
  parseOrThrow,
  parseWith,
  SolveRequestSchema,
  TokenUsageSchema,
} from './index.js';

function firstPath(
  schema: Parameters<typeof parseWith>[0],
  input: unknown,
  label: string,
): string | undefined {
  const result = parseWith(schema, input, label);
  return result.ok ? undefined : result.message.split(':')[0];
}

describe('ArtifactSchema', () => {
  const good = {
    name: 'report.md',
    mimeType: 'text/markdown',
    uri: 'file:///r.md',
    bytes: 12,
    sha256: 'ab'.repeat(32),
  };
  it('accepts a file or s3 artifact', () => {
    expect(parseOrThrow(ArtifactSchema, good)).toEqual(good);
    expect(parseWith(ArtifactSchema, { ...good, uri: 's3://bucket/key' }).ok).toBe(true);
  });
  it.each([
    [{ sha256: 'AB'.repeat(32) }, 'artifact.sha256'],
    [{ sha256: 'ab' }, 'artifact.sha256'],
    [{ bytes: 1.5 }, 'artifact.bytes'],
    [{ name: '' }, 'artifact.name'],
    [{ extra: 1 }, 'artifact'],
  ])('refuses %j, naming %s', (patch, field) => {
    expect(firstPath(ArtifactSchema, { ...good, ...patch }, 'artifact')).toBe(field);
  });
});

describe('TokenUsageSchema', () => {
  it('defaults every figure to zero', () => {
    expect(parseOrThrow(TokenUsageSchema, {})).toEqual(emptyUsage());
  });
  it.each([
    [{ inputTokens: -1 }, 'usage.inputTokens'],
    [{ outputTokens: 0.5 }, 'usage.outputTokens'],
    [{ costUsd: -0.01 }, 'usage.costUsd'],
    [{ cachedInputTokens: '3' }, 'usage.cachedInputTokens'],
  ])('refuses %j, naming %s', (patch, field) => {
    expect(firstPath(TokenUsageSchema, patch, 'usage')).toBe(field);
  });
  it('adds usages figure by figure', () => {
    const sum = addUsage(
      { inputTokens: 1, outputTokens: 2, cachedInputTokens: 3, costUsd: 0.25 },
      { inputTokens: 10, outputTokens: 20, cachedInputTokens: 30, costUsd: 0.5 },
    );
    expect(sum).toEqual({ inputTokens: 11, outputTokens: 22, cachedInputTokens: 33, costUsd: 0.75 });
  });
});

describe('API bodies', () => {
  it('accepts a solve request and refuses bad fields by name', () => {
    expect(parseOrThrow(SolveRequestSchema, { goal: 'g', maxDepth: 2, budgetUsd: 1 }).goal).toBe('g');
    expect(firstPath(SolveRequestSchema, { goal: '' }, 'body')).toBe('body.goal');
    expect(firstPath(SolveRequestSchema, { goal: 'g', maxDepth: 11 }, 'body')).toBe('body.maxDepth');
    expect(firstPath(SolveRequestSchema, { goal: 'g', maxConcurrency: 0 }, 'body')).toBe(
      'body.maxConcurrency',
    );
    expect(firstPath(SolveRequestSchema, { goal: 'g', budgetUsd: 0 }, 'body')).toBe('body.budgetUsd');
    expect(firstPath(SolveRequestSchema, { goal: 'g', depth: 1 }, 'body')).toBe('body');
  });

  it('accepts an error body and refuses one without a code', () => {
    expect(parseWith(ApiErrorBodySchema, { error: { code: 'NOT_FOUND', message: 'no run' } }).ok).toBe(true);
    expect(firstPath(ApiErrorBodySchema, { error: { message: 'x' } }, 'body')).toBe('body.error.code');
  });

  it('accepts PTC stats and refuses negative counts', () => {
    const stats = { executions: 1, cacheHits: 0, failures: 0, inputTokens: 5, outputTokens: 5, costUsd: 0 };
    expect(parseWith(PtcStatsSchema, stats).ok).toBe(true);
    expect(firstPath(PtcStatsSchema, { ...stats, failures: -1 }, 'stats')).toBe('stats.failures');
  });

  it('accepts an execution summary and refuses an unknown status', () => {
    const summary = {
      id: 'e1',
      goal: 'g',
      status: 'RUNNING',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:01Z',
      lastSeq: 3,
      usage: {},
      nodeCount: 1,
      result: null,
    };
    expect(parseWith(ExecutionSummarySchema, summary).ok).toBe(true);
    expect(firstPath(ExecutionSummarySchema, { ...summary, status: 'DONE' }, 'run')).toBe('run.status');
  });
});
