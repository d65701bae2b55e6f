// StreamEvent: one good example of every event type, and bad ones naming the offending field.
import { describe, expect, it } from 'vitest';
import {
  parseOrThrow,
  parseWith,
  STREAM_EVENT_TYPES,
  StreamEventSchema,
  type StreamEventType,
} from './index.js';

const base = { executionId: 'e1', seq: 1, timestamp: '2026-01-01T00:00:00.000Z' };
const usage = { inputTokens: 3, outputTokens: 4, cachedInputTokens: 0, costUsd: 0.01 };

// Partial for the type checker; the first test requires an example of every type at run time.
const EXAMPLES: Partial<Record<StreamEventType, Record<string, unknown>>> = {
  'execution-start': { type: 'execution-start', goal: 'g', rootTaskId: 'root', options: { maxDepth: 2 } },
  'execution-resume': { type: 'execution-resume', fromSeq: 12 },
  'execution-cancel-requested': { type: 'execution-cancel-requested', reason: 'user pressed Ctrl-C' },
  'task-start': {
    type: 'task-start',
    taskId: 't1',
    parentId: null,
    goal: 'g',
    depth: 0,
    maxDepth: 2,
    taskType: 'THINK',
    dependencies: [],
  },
  'task-status': { type: 'task-status', taskId: 't1', status: 'PLANNING', previousStatus: 'ATOMIZING' },
  'task-atomized': { type: 'task-atomized', taskId: 't1', nodeType: 'PLAN', reason: 'two parts' },
  'task-planned': {
    type: 'task-planned',
    taskId: 't1',
    subtasks: [
      { id: 'a', goal: 'find', taskType: 'RETRIEVE' },
      { id: 'b', goal: 'write', taskType: 'WRITE', dependencies: ['a'] },
    ],
  },
  'task-verified': { type: 'task-verified', taskId: 't1', passed: false, feedback: 'missing totals' },
  'task-end': { type: 'task-end', taskId: 't1', status: 'COMPLETED', result: 'done', usage },
  'task-step-end': {
    type: 'task-step-end',
    taskId: 't1',
    step: 'execute',
    attempt: 0,
    output: { result: 'done' },
    usage,
    worker: 'host:42',
  },
  'llm-call': {
    type: 'llm-call',
    taskId: 't1',
    module: 'planner',
    model: 'openai:gpt-x',
    inputTokens: 10,
    outputTokens: 5,
    costUsd: 0.0001,
    cacheHit: true,
    durationMs: 12.5,
  },
  'code-execution-start': {
    type: 'code-execution-start',
    taskId: 't1',
    planId: 'p1',
    iteration: 1,
    language: 'typescript',
    provider: 'isolate',
    code: 'console.log(1)',
  },
  'code-execution-end': {
    type: 'code-execution-end',
    taskId: 't1',
    planId: 'p1',
    iteration: 1,
    exitCode: 0,
    durationMs: 1,
    stdout: '1\n',
    stderr: '',
    truncated: false,
  },
  'tool-call': {
    type: 'tool-call',
    taskId: null,
    planId: 'p1',
    server: 'memory',
    tool: 'read_graph',
    durationMs: 2,
    ok: true,
    resultBytes: 99,
  },
  'tool-notice': {
    type: 'tool-notice',
    taskId: 't1',
    planId: 'p1',
    server: 'everything',
    tool: 'trigger-long-running-operation',
    kind: 'progress',
    progress: 1,
    total: 3,
    message: '',
  },
  'artifact-created': {
    type: 'artifact-created',
    taskId: 't1',
    artifact: {
      name: 'a.txt',
      mimeType: 'text/plain',
      uri: 'file:///a.txt',
      bytes: 1,
      sha256: 'f'.repeat(64),
    },
  },
  'execution-end': {
    type: 'execution-end',
    status: 'STOPPED',
    reason: 'max-cost',
    result: null,
    usage,
    nodeCount: 7,
    durationMs: 1000,
  },
  error: { type: 'error', code: 'MODEL_CALL_FAILED', message: 'HTTP 500', retryable: true },
  'ptc-cache-hit': {
    type: 'ptc-cache-hit',
    taskId: 't1',
    planId: 'p1',
    cacheKey: 'ptc:v1:abc',
    savedInputTokens: 2_400,
    savedOutputTokens: 180,
    savedCostUsd: 0.0099,
  },
  warning: { type: 'warning', code: 'CACHE_FAILED', message: 'Redis unreachable; running uncached' },
};

describe('StreamEventSchema', () => {
  it('covers at least the event types the issue names', () => {
    for (const type of [
      'execution-start',
      'task-start',
      'task-atomized',
      'task-planned',
      'task-end',
      'llm-call',
      'code-execution-start',
      'code-execution-end',
      'tool-call',
      'artifact-created',
      'execution-end',
      'error',
    ]) {
      expect(STREAM_EVENT_TYPES).toContain(type);
    }
    const missing = STREAM_EVENT_TYPES.filter((type) => !EXAMPLES[type]);
    expect(missing, 'add a good example of each new event type to EXAMPLES').toEqual([]);
  });

  it.each(Object.entries(EXAMPLES))('accepts a %s event', (type, example) => {
    const event = parseOrThrow(StreamEventSchema, { ...base, ...example }, 'event');
    expect(event.type).toBe(type);
    expect(event.seq).toBe(1);
  });

  it('fills the defaults an event leaves out', () => {
    const end = parseOrThrow(StreamEventSchema, { ...base, ...EXAMPLES['task-end'] });
    expect(end.type === 'task-end' && end.error).toBeNull();
    const call = parseOrThrow(StreamEventSchema, { ...base, ...EXAMPLES['llm-call'] });
    expect(call.type === 'llm-call' && call.cachedInputTokens).toBe(0);
    expect(call.type === 'llm-call' && call.ok).toBe(true);
    const atomized = parseOrThrow(StreamEventSchema, { ...base, ...EXAMPLES['task-atomized'] });
    expect(atomized.type === 'task-atomized' && atomized.forcedByDepth).toBe(false);
  });

  it.each([
    ['an unknown type', { ...base, type: 'task-exploded', taskId: 't1' }, 'event.type'],
    ['seq 0', { ...base, seq: 0, ...EXAMPLES['execution-resume'] }, 'event.seq'],
    ['a fractional seq', { ...base, seq: 1.5, ...EXAMPLES['execution-resume'] }, 'event.seq'],
    [
      'a timestamp without zone',
      { ...base, timestamp: '2026-01-01 00:00', ...EXAMPLES['execution-resume'] },
      'event.timestamp',
    ],
    ['an empty plan', { ...base, ...EXAMPLES['task-planned'], subtasks: [] }, 'event.subtasks'],
    [
      'a subtask with an unknown task type',
      { ...base, ...EXAMPLES['task-planned'], subtasks: [{ id: 'a', goal: 'g', taskType: 'DANCE' }] },
      'event.subtasks[0].taskType',
    ],
    [
      'an llm-call without cacheHit',
      { ...base, ...EXAMPLES['llm-call'], cacheHit: undefined },
      'event.cacheHit',
    ],
    [
      'an llm-call from an unknown module',
      { ...base, ...EXAMPLES['llm-call'], module: 'oracle' },
      'event.module',
    ],
    ['a task-end still running', { ...base, ...EXAMPLES['task-end'], status: 'EXECUTING' }, 'event.status'],
    [
      'an execution-end with RUNNING',
      { ...base, ...EXAMPLES['execution-end'], status: 'RUNNING' },
      'event.status',
    ],
    ['an unknown stop reason', { ...base, ...EXAMPLES['execution-end'], reason: 'bored' }, 'event.reason'],
    [
      'an artifact with negative bytes',
      {
        ...base,
        ...EXAMPLES['artifact-created'],
        artifact: { name: 'a', mimeType: 't', uri: 'u', bytes: -1, sha256: 'f'.repeat(64) },
      },
      'event.artifact.bytes',
    ],
    ['a key of another event type', { ...base, ...EXAMPLES['tool-call'], code: 'x' }, 'event'],
  ])('refuses %s, naming %s', (_name, input, field) => {
    const result = parseWith(StreamEventSchema, input, 'event');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.startsWith(`${field}:`)).toBe(true);
  });
});
