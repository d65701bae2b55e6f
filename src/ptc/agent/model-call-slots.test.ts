// The in-process agent takes the caller's model-call slot around each model call, never while its program runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  type PtcHarness,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';
import { PTCExecutionPlanSchema } from '../../contracts/index.js';

let harness: PtcHarness;
beforeAll(async () => {
  harness = await startPtcHarness({
    rules: [
      conversationRule('[slots]', [
        codeReply("console.log('six times seven is ' + 6 * 7);"),
        finalAnswerFrom(/is (\d+)/, 'nothing'),
      ]),
      { name: 'broken', match: { contains: ['[broken]', 'You are PTC'] }, reply: { status: 400 } },
    ],
  });
});
afterAll(async () => {
  await harness?.close();
});

describe('PTC agent: model-call slots', () => {
  it('holds a slot for each model call and none while the program runs', async () => {
    expect(harness.agent.takesModelCallSlots).toBe(true);
    const log: string[] = [];
    let held = 0;
    const result = await harness.agent.execute(
      PTCExecutionPlanSchema.parse(harness.plan({ goal: '[slots] 6*7' })),
      {
        signal: AbortSignal.timeout(60_000),
        emit: (event) => {
          log.push(`${event.type} (slots held: ${held})`);
        },
        acquireModelCallSlot: async () => {
          held += 1;
          log.push('acquire');
          return () => {
            held -= 1;
            log.push('release');
          };
        },
      },
    );
    expect(result).toMatchObject({ status: 'SUCCESS', summary: '42' });
    expect(log).toEqual([
      'acquire',
      'release',
      'llm-call (slots held: 0)',
      'code-execution-start (slots held: 0)',
      'code-execution-end (slots held: 0)',
      'acquire',
      'release',
      'llm-call (slots held: 0)',
    ]);
  });

  it("hands each call's usage to its release, so a budget shared by workers books it", async () => {
    const booked: Array<number | undefined> = [];
    const logged: number[] = [];
    const result = await harness.agent.execute(
      PTCExecutionPlanSchema.parse(harness.plan({ goal: '[slots] 6*7' })),
      {
        signal: AbortSignal.timeout(60_000),
        emit: (event) => {
          if (event.type === 'llm-call') logged.push(event.inputTokens + event.outputTokens);
        },
        acquireModelCallSlot: async () => (usage) => {
          booked.push(usage ? usage.inputTokens + usage.outputTokens : undefined);
        },
      },
    );
    expect(result.status).toBe('SUCCESS');
    expect(logged).toHaveLength(2);
    expect(logged.every((tokens) => tokens > 0)).toBe(true);
    expect(booked).toEqual(logged);
  });

  it('gives the slot back when the model call fails', async () => {
    let held = 0;
    let taken = 0;
    const result = await harness.agent.execute(
      PTCExecutionPlanSchema.parse(harness.plan({ goal: '[broken] x' })),
      {
        signal: AbortSignal.timeout(60_000),
        emit: () => undefined,
        acquireModelCallSlot: async () => {
          held += 1;
          taken += 1;
          return () => {
            held -= 1;
          };
        },
      },
    );
    expect(result.status).toBe('FAILURE');
    expect(taken).toBe(1);
    expect(held).toBe(0);
  });
});
