// One contract for every PTC CodeAgent (in process and over HTTP): same results, same events, same errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CodeAgent,
  NewStreamEvent,
  PTCExecutionPlan,
  PTCExecutionPlanInput,
} from '../../contracts/index.js';
import { PTCExecutionPlanSchema } from '../../contracts/index.js';

interface CodeAgentUnderTest {
  agent: CodeAgent;
  close(): Promise<void>;
}

/** The factory gets an agent wired to the scripted rules of `codeAgentContractRules` and the small server. */
let counter = 0;
function plan(input: Partial<PTCExecutionPlanInput> & { goal: string }): PTCExecutionPlan {
  counter += 1;
  return PTCExecutionPlanSchema.parse({
    planId: `contract-plan-${counter}`,
    executionId: `contract-exec-${counter}`,
    taskId: `contract-task-${counter}`,
    cacheStrategy: 'NEVER',
    tools: { servers: [{ name: 'small' }] },
    ...input,
  });
}

async function run(agent: CodeAgent, input: PTCExecutionPlan, signal = AbortSignal.timeout(60_000)) {
  const events: NewStreamEvent[] = [];
  const result = await agent.execute(input, {
    signal,
    emit: (event) => {
      events.push(event);
    },
  });
  return { result, events };
}

export function codeAgentConformance(name: string, factory: () => Promise<CodeAgentUnderTest>): void {
  describe(`CodeAgent contract: ${name}`, () => {
    let subject: CodeAgentUnderTest;
    beforeAll(async () => {
      subject = await factory();
    });
    afterAll(async () => {
      await subject?.close();
    });

    it('runs a plan to SUCCESS and streams its events in order', async () => {
      const { result, events } = await run(subject.agent, plan({ goal: '[contract-add] add 2 and 40' }));
      expect(result).toMatchObject({ status: 'SUCCESS', summary: '42', iterationsUsed: 1, fromCache: false });
      expect(result.toolCalls).toMatchObject([{ server: 'small', tool: 'add', ok: true }]);
      expect(events.map((event) => event.type)).toEqual([
        'llm-call',
        'code-execution-start',
        'tool-call',
        'code-execution-end',
        'llm-call',
      ]);
      expect(events.every((event) => event.executionId === result.planId.replace('plan', 'exec'))).toBe(true);
    });

    it('keeps the events of concurrent sibling plans of one execution apart', async () => {
      const shared = `contract-shared-${counter}`;
      const [first, second] = await Promise.all([
        run(
          subject.agent,
          plan({ goal: '[contract-add] sibling one', executionId: shared, taskId: 'sibling-1' }),
        ),
        run(
          subject.agent,
          plan({ goal: '[contract-add] sibling two', executionId: shared, taskId: 'sibling-2' }),
        ),
      ]);
      for (const [outcome, taskId] of [
        [first, 'sibling-1'],
        [second, 'sibling-2'],
      ] as const) {
        expect(outcome.result.status).toBe('SUCCESS');
        expect(outcome.events).toHaveLength(5);
        expect(outcome.events.every((event) => 'taskId' in event && event.taskId === taskId)).toBe(true);
      }
    });

    it('reports a tool error caught by the code', async () => {
      const { result } = await run(subject.agent, plan({ goal: '[contract-fail] call the failing tool' }));
      expect(result.status).toBe('SUCCESS');
      expect(result.summary).toContain('disk full');
      expect(result.toolCalls[0]).toMatchObject({ tool: 'fail', ok: false });
    });

    it('ends with PARTIAL_SUCCESS at the iteration limit', async () => {
      const { result } = await run(
        subject.agent,
        plan({
          goal: '[contract-loop] never finishes',
          limits: { maxIterations: 1, maxOutputChars: 20_000, tokenBudget: 200_000 },
        }),
      );
      expect(result.status).toBe('PARTIAL_SUCCESS');
      expect(result.error?.code).toBe('BUDGET_EXCEEDED');
    });

    it('answers a repeated ALWAYS plan from the cache', async () => {
      const first = await run(
        subject.agent,
        plan({ goal: '[contract-add] cached', cacheStrategy: 'ALWAYS' }),
      );
      const second = await run(
        subject.agent,
        plan({ goal: '[contract-add] cached', cacheStrategy: 'ALWAYS' }),
      );
      expect(first.result.status).toBe('SUCCESS');
      expect(second.result).toMatchObject({ status: 'CACHE_HIT', fromCache: true, summary: '42' });
      expect(second.result.savedUsage).toEqual(first.result.usage);
      // No model call, no run: one event saying what the hit saved (the first run's usage).
      expect(second.events).toEqual([
        expect.objectContaining({
          type: 'ptc-cache-hit',
          savedInputTokens: first.result.usage.inputTokens,
          savedOutputTokens: first.result.usage.outputTokens,
        }),
      ]);
    });

    it('rejects an invalid plan naming the field', async () => {
      const bad = {
        ...plan({ goal: 'x' }),
        limits: { maxIterations: 99, maxOutputChars: 1_000, tokenBudget: 10 },
      };
      await expect(run(subject.agent, bad as PTCExecutionPlan)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        field: 'plan.limits.maxIterations',
      });
    });
  });
}
