// PTCArtifactResult (PTC → ROMA): each status, executions, artifacts, and the path named by each bad input.
import { describe, expect, it } from 'vitest';
import { PTC_RESULT_STATUSES, PTCArtifactResultSchema, parseOrThrow, parseWith } from './index.js';

function goodResult(): Record<string, unknown> {
  return {
    planId: 'p1',
    taskId: 't1',
    status: 'SUCCESS',
    summary: 'data.csv has 42 rows',
    iterationsUsed: 1,
    usage: { inputTokens: 100, outputTokens: 20, costUsd: 0.0004 },
    startedAt: '2026-01-01T00:00:00Z',
    completedAt: '2026-01-01T00:00:02Z',
  };
}

describe('PTCArtifactResultSchema', () => {
  it('fills the defaults of a minimal result', () => {
    const result = parseOrThrow(PTCArtifactResultSchema, goodResult(), 'result');
    expect(result).toMatchObject({
      artifacts: [],
      executions: [],
      testResults: [],
      toolCalls: [],
      fromCache: false,
      cacheKey: null,
      error: null,
    });
    expect(result.usage.cachedInputTokens).toBe(0);
  });

  it.each(PTC_RESULT_STATUSES)('accepts status %s', (status) => {
    expect(parseWith(PTCArtifactResultSchema, { ...goodResult(), status }).ok).toBe(true);
  });

  it('accepts a full result with executions, tests, tool calls, artifacts and an error', () => {
    const result = parseOrThrow(PTCArtifactResultSchema, {
      ...goodResult(),
      status: 'PARTIAL_SUCCESS',
      artifacts: [
        {
          name: 'out.json',
          mimeType: 'application/json',
          uri: 's3://b/k',
          bytes: 10,
          sha256: '0'.repeat(64),
        },
      ],
      executions: [
        {
          iteration: 1,
          language: 'typescript',
          code: 'x',
          stdout: '',
          stderr: 'boom',
          exitCode: 1,
          durationMs: 3,
          truncated: false,
        },
        {
          iteration: 2,
          language: 'typescript',
          code: 'y',
          stdout: 'ok',
          stderr: '',
          exitCode: 0,
          durationMs: 2.5,
          truncated: true,
          stoppedBy: 'output',
        },
      ],
      testResults: [{ name: 'counts rows', passed: true }],
      toolCalls: [{ server: 'memory', tool: 'read_graph', durationMs: 4, ok: true, resultBytes: 120 }],
      iterationsUsed: 2,
      fromCache: true,
      cacheKey: 'roma:ptc:v1:abc',
      error: { code: 'TEST_FAILED', message: 'one test failed' },
    });
    expect(result.executions[0]?.stoppedBy).toBeNull();
    expect(result.executions[1]?.stoppedBy).toBe('output');
  });

  it.each([
    ['unknown status', { status: 'OK' }, 'result.status'],
    ['negative iterations', { iterationsUsed: -1 }, 'result.iterationsUsed'],
    ['missing usage', { usage: undefined }, 'result.usage'],
    [
      'bad sha256',
      { artifacts: [{ name: 'a', mimeType: 'text/plain', uri: 'file:///a', bytes: 1, sha256: 'XYZ' }] },
      'result.artifacts[0].sha256',
    ],
    [
      'fractional exit code',
      {
        executions: [
          {
            iteration: 1,
            language: 'typescript',
            code: '',
            stdout: '',
            stderr: '',
            exitCode: 1.5,
            durationMs: 1,
            truncated: false,
          },
        ],
      },
      'result.executions[0].exitCode',
    ],
    [
      'unknown stop reason',
      {
        executions: [
          {
            iteration: 1,
            language: 'typescript',
            code: '',
            stdout: '',
            stderr: '',
            exitCode: 0,
            durationMs: 1,
            truncated: false,
            stoppedBy: 'boredom',
          },
        ],
      },
      'result.executions[0].stoppedBy',
    ],
    [
      'tool call without ok',
      { toolCalls: [{ server: 's', tool: 't', durationMs: 1, resultBytes: 0 }] },
      'result.toolCalls[0].ok',
    ],
    ['error without message', { error: { code: 'X' } }, 'result.error.message'],
    ['bad timestamp', { completedAt: '2026-13-45' }, 'result.completedAt'],
  ])('refuses %s, naming %s', (_name, patch, field) => {
    const result = parseWith(PTCArtifactResultSchema, { ...goodResult(), ...patch }, 'result');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.startsWith(`${field}:`)).toBe(true);
  });
});
