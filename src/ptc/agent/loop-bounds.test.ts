// What the loop sends the model is bounded whatever the program did, and a call whose input alone would pass
// the token budget is never sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeReply,
  conversationRule,
  type PtcHarness,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';

const rules = [
  conversationRule('[many-files]', [
    codeReply(
      "for (let index = 0; index < 300; index += 1) workspace.writeFile('results/' + String(index).padStart(3, '0') + 'x'.repeat(500) + '.txt', 'a');\nconsole.log('wrote');",
    ),
    { text: 'FINAL ANSWER: done' },
  ]),
  conversationRule('[huge-context]', [{ text: 'FINAL ANSWER: should never be asked' }]),
];

describe('PTC loop bounds', () => {
  let harness: PtcHarness;
  beforeAll(async () => {
    harness = await startPtcHarness({ rules });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('lists at most 20 written files, each name cut, with the count of the rest', async () => {
    const result = await harness.execute({ goal: '[many-files] write files' });
    expect(result.status).toBe('SUCCESS');
    const report = harness.model.requests.at(-1)!.text;
    expect(report).toContain('Files written (300): results/000xxx');
    expect(report).toContain(', and 280 more');
    expect(report).not.toContain('results/020x');
    // Positive control: the files exist (refused as artifacts for their long names), only the listing is bounded.
    expect(result.artifactsRefused?.[0]?.reason).toContain('name longer than 200 characters');
    expect(report.length).toBeLessThan(20_000);
  });

  it('refuses a model call whose input alone would pass tokenBudget, before sending it', async () => {
    const before = harness.model.requests.length;
    const result = await harness.execute({
      goal: '[huge-context] summarise',
      context: [{ taskId: 'earlier', goal: 'collect', result: 'y'.repeat(80_000) }],
      limits: { maxIterations: 2, maxOutputChars: 20_000, tokenBudget: 10_000 },
    });
    expect(harness.model.requests.length).toBe(before);
    expect(result.status).toBe('FAILURE');
    expect(result.error).toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(result.error?.message).toMatch(
      /tokenBudget \(10000\): the next model call's input \(about \d+ tokens\)/,
    );
    // Positive control: the same plan with room in the budget is sent.
    const roomy = await harness.execute({
      goal: '[huge-context] summarise',
      context: [{ taskId: 'earlier', goal: 'collect', result: 'y'.repeat(80_000) }],
      limits: { maxIterations: 2, maxOutputChars: 20_000, tokenBudget: 200_000 },
    });
    expect(roomy.status).toBe('SUCCESS');
    expect(harness.model.requests.length).toBe(before + 1);
  });
});
