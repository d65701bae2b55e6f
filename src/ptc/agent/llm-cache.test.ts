// PTC model calls go through the model layer behind the LLM-response cache: a repeated plan is answered from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallServerConfig } from '../../../test/support/mcp-servers/index.js';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  type PtcHarness,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';
import type { NewStreamEvent } from '../../contracts/index.js';

type LlmCallEvent = Extract<NewStreamEvent, { type: 'llm-call' }>;

function llmCalls(harness: PtcHarness, executionId: string): LlmCallEvent[] {
  return harness.events.filter(
    (event): event is LlmCallEvent => event.type === 'llm-call' && event.executionId === executionId,
  );
}

describe.each(['code', 'direct'] as const)('PTC agent behind the LLM cache (%s mode)', (mode) => {
  let harness: PtcHarness;
  beforeAll(async () => {
    harness = await startPtcHarness({
      mode,
      servers: { small: smallServerConfig() },
      // Only the LLM cache answers repeats: the PTC result cache is off.
      cache: false,
      llmCache: true,
      // Costs come from the registry's model settings (llm.prices), as in the CLI.
      prices: { 'openai:scripted': { inputPerMillionUsd: 1_000, outputPerMillionUsd: 2_000 } },
      rules: [
        conversationRule('[cached-add]', [
          codeReply("console.log('sum=' + (await small.add({ a: 20, b: 22 })));"),
          finalAnswerFrom(/sum=(\d+)/),
        ]),
        {
          name: 'direct add',
          match: { contains: '[direct-cached-add]' },
          reply: (request) =>
            request.toolResults.length === 0
              ? { toolCalls: [{ name: 'small__add', args: { a: 20, b: 22 } }] }
              : { text: `FINAL ANSWER: ${request.toolResults[0]!.output}` },
        },
      ],
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('reports cacheHit and the saved tokens on the llm-call events of a repeated plan', async () => {
    const goal = mode === 'code' ? '[cached-add] add 20 and 22' : '[direct-cached-add] add 20 and 22';
    const input = { goal, tools: { servers: [{ name: 'small' }] } };
    const first = await harness.execute(input);
    const upstreamAfterFirst = harness.model.requests.length;
    const second = await harness.execute(input);

    expect(first).toMatchObject({ status: 'SUCCESS', summary: '42' });
    // The LLM cache answers the model; the program still runs (tools are not cached).
    expect(second).toMatchObject({ status: 'SUCCESS', summary: '42', fromCache: false });
    expect(second.toolCalls).toHaveLength(1);
    expect(harness.model.requests.length).toBe(upstreamAfterFirst);

    const firstCalls = llmCalls(harness, first.planId.replace('plan', 'exec'));
    const secondCalls = llmCalls(harness, second.planId.replace('plan', 'exec'));
    expect(firstCalls).toHaveLength(2);
    expect(firstCalls.every((event) => event.cacheHit === false && event.savedInputTokens === 0)).toBe(true);
    expect(secondCalls).toHaveLength(2);
    secondCalls.forEach((event, index) => {
      const original = firstCalls[index]!;
      expect(original.inputTokens).toBeGreaterThan(0);
      expect(original.costUsd).toBeGreaterThan(0);
      expect(event).toMatchObject({
        module: 'ptc',
        ok: true,
        cacheHit: true,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        savedInputTokens: original.inputTokens,
        savedOutputTokens: original.outputTokens,
      });
      expect(event.savedCostUsd).toBeCloseTo(original.costUsd, 10);
    });
    expect(first.usage.costUsd).toBeGreaterThan(0);
    expect(second.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });

    // The calls told the cache which run asked (for `roma cache warm --from-run`).
    const secondExecution = second.planId.replace('plan', 'exec');
    expect(harness.llmCacheEntries.filter((entry) => entry.executionId === secondExecution)).toMatchObject([
      { hit: true },
      { hit: true },
    ]);
  });
});
