// TaskNode good/bad examples, and the status transition table with the function that refuses illegal moves.
import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  isRomaError,
  isTerminalStatus,
  parseOrThrow,
  parseWith,
  type RomaError,
  TASK_STATUS_TRANSITIONS,
  TASK_STATUSES,
  TaskNodeSchema,
  type TaskStatus,
} from './index.js';

const NOW = '2026-01-01T00:00:00.000Z';

function goodNode(): Record<string, unknown> {
  return {
    id: 't1',
    executionId: 'e1',
    parentId: null,
    goal: 'Summarise the report',
    depth: 0,
    maxDepth: 2,
    taskType: 'THINK',
    nodeType: null,
    status: 'PENDING',
    usage: {},
    createdAt: NOW,
  };
}

function thrown(run: () => unknown): RomaError {
  try {
    run();
  } catch (error) {
    if (isRomaError(error)) return error;
    throw error;
  }
  throw new Error('expected a RomaError');
}

describe('TaskNodeSchema', () => {
  it('accepts a minimal node and fills the defaults', () => {
    const node = parseOrThrow(TaskNodeSchema, goodNode(), 'node');
    expect(node.dependencies).toEqual([]);
    expect(node.children).toEqual([]);
    expect(node.result).toBeNull();
    expect(node.error).toBeNull();
    expect(node.usage).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 });
    expect(node.startedAt).toBeNull();
  });

  it('accepts a full finished node with children, error chain and artifacts', () => {
    const node = parseOrThrow(TaskNodeSchema, {
      ...goodNode(),
      id: 't2',
      parentId: 't1',
      depth: 1,
      taskType: 'CODE',
      nodeType: 'EXECUTE',
      status: 'FAILED',
      dependencies: ['t3'],
      children: [],
      result: null,
      error: {
        code: 'DEPENDENCY_FAILED',
        message: 'dep failed',
        cause: [{ taskId: 't3', code: 'TIMEOUT', message: 'slow' }],
      },
      artifacts: [
        { name: 'a.csv', mimeType: 'text/csv', uri: 'file:///a.csv', bytes: 3, sha256: 'a'.repeat(64) },
      ],
      usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 2, costUsd: 0.001 },
      startedAt: NOW,
      completedAt: '2026-01-01T00:00:01+02:00',
    });
    expect(node.error?.cause?.[0]?.taskId).toBe('t3');
  });

  it.each([
    ['taskType', { taskType: 'SEARCH' }, 'node.taskType'],
    ['nodeType', { nodeType: 'LEAF' }, 'node.nodeType'],
    ['status', { status: 'DONE' }, 'node.status'],
    ['empty goal', { goal: '' }, 'node.goal'],
    ['negative depth', { depth: -1 }, 'node.depth'],
    ['depth over maxDepth', { depth: 3, maxDepth: 2 }, 'node.depth'],
    ['self dependency', { dependencies: ['t1'] }, 'node.dependencies'],
    ['bad dependency id', { dependencies: ['ok', ''] }, 'node.dependencies[1]'],
    ['negative tokens', { usage: { inputTokens: -5 } }, 'node.usage.inputTokens'],
    ['non-ISO timestamp', { createdAt: 'yesterday' }, 'node.createdAt'],
    ['unknown key', { colour: 'red' }, 'node'],
    ['missing id', { id: undefined }, 'node.id'],
  ])('refuses %s, naming the field', (_name, patch, field) => {
    const input = { ...goodNode(), ...patch };
    const result = parseWith(TaskNodeSchema, input, 'node');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.startsWith(`${field}:`)).toBe(true);
    const error = thrown(() => parseOrThrow(TaskNodeSchema, input, 'node'));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.field).toBe(field);
    expect(error.toLine()).not.toContain('\n');
  });
});

describe('task status transitions', () => {
  it('lists every status, with no transition out of a terminal one', () => {
    expect(Object.keys(TASK_STATUS_TRANSITIONS).sort()).toEqual([...TASK_STATUSES].sort());
    for (const status of ['COMPLETED', 'FAILED', 'CANCELLED'] as const) {
      expect(isTerminalStatus(status)).toBe(true);
      expect(TASK_STATUS_TRANSITIONS[status]).toEqual([]);
    }
    expect(isTerminalStatus('EXECUTING')).toBe(false);
  });

  it('only points at known statuses, and every live status can fail or be cancelled', () => {
    for (const [from, targets] of Object.entries(TASK_STATUS_TRANSITIONS) as [TaskStatus, TaskStatus[]][]) {
      for (const to of targets) expect(TASK_STATUSES).toContain(to);
      if (!isTerminalStatus(from)) {
        expect(targets).toContain('FAILED');
        expect(targets).toContain('CANCELLED');
      }
    }
  });

  it('allows the paths the engine takes', () => {
    const planned: TaskStatus[] = [
      'PENDING',
      'ATOMIZING',
      'PLANNING',
      'WAITING_FOR_CHILDREN',
      'AGGREGATING',
      'VERIFYING',
      'COMPLETED',
    ];
    const atDepthLimit: TaskStatus[] = ['PENDING', 'EXECUTING', 'COMPLETED'];
    const replan: TaskStatus[] = ['AGGREGATING', 'VERIFYING', 'PLANNING'];
    for (const path of [planned, atDepthLimit, replan]) {
      for (let index = 1; index < path.length; index += 1) {
        expect(() => assertTransition(path[index - 1]!, path[index]!)).not.toThrow();
      }
    }
  });

  it.each([
    ['COMPLETED', 'EXECUTING'],
    ['FAILED', 'PENDING'],
    ['CANCELLED', 'COMPLETED'],
    ['PENDING', 'COMPLETED'],
    ['PLANNING', 'EXECUTING'],
    ['EXECUTING', 'PLANNING'],
    ['WAITING_FOR_CHILDREN', 'COMPLETED'],
  ] as [TaskStatus, TaskStatus][])('refuses %s → %s with ILLEGAL_TRANSITION', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const error = thrown(() => assertTransition(from, to, 'task-7'));
    expect(error.code).toBe('ILLEGAL_TRANSITION');
    expect(error.field).toBe('status');
    expect(error.message).toContain('task-7');
    expect(error.message).toContain(`from ${from} to ${to}`);
    expect(error.details).toMatchObject({ from, to, taskId: 'task-7' });
  });

  it('says a terminal status allows nothing', () => {
    expect(thrown(() => assertTransition('COMPLETED', 'FAILED')).message).toContain('none (terminal)');
  });
});
