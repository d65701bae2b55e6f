// PTCExecutionPlan (ROMA → PTC): defaults, limits and the path named by each bad input.
import { describe, expect, it } from 'vitest';
import { isRomaError, PTCExecutionPlanSchema, parseJsonWith, parseOrThrow, parseWith } from './index.js';

function goodPlan(): Record<string, unknown> {
  return { planId: 'p1', executionId: 'e1', taskId: 't1', goal: 'Count the rows of data.csv' };
}

describe('PTCExecutionPlanSchema', () => {
  it('fills every default from a minimal plan', () => {
    const plan = parseOrThrow(PTCExecutionPlanSchema, goodPlan(), 'plan');
    expect(plan).toMatchObject({
      context: [],
      language: 'typescript',
      tools: { servers: [] },
      sandbox: { provider: 'isolate', timeoutMs: 30_000, memoryMb: 256 },
      limits: { maxIterations: 5, maxOutputChars: 20_000, tokenBudget: 200_000 },
      enableTesting: false,
      cacheStrategy: 'SMART',
      cacheTtlSeconds: 604_800,
      metadata: {},
    });
  });

  it('accepts a full plan', () => {
    const plan = parseOrThrow(PTCExecutionPlanSchema, {
      ...goodPlan(),
      context: [{ taskId: 't0', goal: 'find the file', result: 'data.csv' }],
      language: 'python',
      tools: { servers: [{ name: 'memory', allowTools: ['read_graph'] }, { name: 'fs' }] },
      sandbox: { provider: 'process', timeoutMs: 5_000, memoryMb: 512 },
      limits: { maxIterations: 20, maxOutputChars: 1_000, tokenBudget: 50_000 },
      enableTesting: true,
      cacheStrategy: 'NEVER',
      cacheTtlSeconds: 60,
      model: 'anthropic:claude-x',
      metadata: { origin: 'test' },
    });
    expect(plan.tools.servers[0]?.allowTools).toEqual(['read_graph']);
    expect(plan.sandbox.provider).toBe('process');
  });

  it('fills defaults inside a partly given section', () => {
    const plan = parseOrThrow(PTCExecutionPlanSchema, { ...goodPlan(), limits: { maxIterations: 2 } });
    expect(plan.limits).toEqual({ maxIterations: 2, maxOutputChars: 20_000, tokenBudget: 200_000 });
  });

  it.each([
    ['maxIterations above 20', { limits: { maxIterations: 21 } }, 'plan.limits.maxIterations'],
    ['maxIterations below 1', { limits: { maxIterations: 0 } }, 'plan.limits.maxIterations'],
    ['fractional maxIterations', { limits: { maxIterations: 2.5 } }, 'plan.limits.maxIterations'],
    ['unknown language', { language: 'ruby' }, 'plan.language'],
    ['unknown provider', { sandbox: { provider: 'docker' } }, 'plan.sandbox.provider'],
    ['tiny timeout', { sandbox: { timeoutMs: 5 } }, 'plan.sandbox.timeoutMs'],
    ['unknown cache strategy', { cacheStrategy: 'SOMETIMES' }, 'plan.cacheStrategy'],
    ['zero TTL', { cacheTtlSeconds: 0 }, 'plan.cacheTtlSeconds'],
    ['empty goal', { goal: '' }, 'plan.goal'],
    ['tool server without name', { tools: { servers: [{ name: 'a' }, {}] } }, 'plan.tools.servers[1].name'],
    ['context entry missing result', { context: [{ taskId: 't0', goal: 'g' }] }, 'plan.context[0].result'],
    ['unknown key inside limits', { limits: { maxLoops: 3 } }, 'plan.limits'],
  ])('refuses %s, naming %s', (_name, patch, field) => {
    const input = { ...goodPlan(), ...patch };
    const result = parseWith(PTCExecutionPlanSchema, input, 'plan');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message.startsWith(`${field}:`)).toBe(true);
      expect(result.issues[0]?.path).toBe(field.replace(/^plan\.?/, ''));
    }
    try {
      parseOrThrow(PTCExecutionPlanSchema, input, 'plan');
      expect.unreachable();
    } catch (error) {
      expect(isRomaError(error) && error.field).toBe(field);
    }
  });

  it('refuses malformed JSON without throwing', () => {
    const result = parseJsonWith(PTCExecutionPlanSchema, '{"planId": ', 'plan');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^plan: not valid JSON/);
    const good = parseJsonWith(PTCExecutionPlanSchema, JSON.stringify(goodPlan()), 'plan');
    expect(good.ok).toBe(true);
  });
});
