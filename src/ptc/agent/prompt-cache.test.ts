// Prompt caching: Anthropic requests mark the stable prefix, and cached input tokens count apart in usage and cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataServerConfig } from '../../../test/support/mcp-servers/index.js';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  type PtcHarness,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';

const PRICE = { inputPerMillionUsd: 3, outputPerMillionUsd: 15, cachedInputPerMillionUsd: 0.3 };

describe.each([
  ['anthropic:scripted', true],
  ['openai:scripted', false],
])('prompt caching with %s', (modelId, marks) => {
  let harness: PtcHarness;
  beforeAll(async () => {
    harness = await startPtcHarness({
      modelId,
      prices: { [modelId]: PRICE },
      servers: { data: dataServerConfig() },
      rules: [
        conversationRule('[cached-turns]', [
          codeReply("console.log(await readToolDoc('data', 'list_orders'));"),
          codeReply(
            "const { total } = await data.list_orders({ status: 'refunded' });\nconsole.log('ANSWER=' + total);",
          ),
          finalAnswerFrom(/ANSWER=(\d+)/, 'none'),
        ]),
      ],
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it(marks ? 'marks the prefix and reads it from the cache on later turns' : 'sends no marks', async () => {
    const result = await harness.execute({
      goal: '[cached-turns] count refunded orders',
      tools: { servers: [{ name: 'data' }] },
    });
    expect(result.status).toBe('SUCCESS');
    const calls = harness.events.filter((event) => event.type === 'llm-call');
    expect(calls).toHaveLength(3);
    const cached = calls.map((event) => (event as { cachedInputTokens: number }).cachedInputTokens);
    const bodies = harness.model.requests.map((request) => JSON.stringify(request.body));
    if (!marks) {
      expect(bodies.every((body) => !body.includes('cache_control'))).toBe(true);
      expect(cached).toEqual([0, 0, 0]);
      expect(result.usage.cachedInputTokens).toBe(0);
      return;
    }
    expect(bodies.every((body) => body.includes('"cache_control":{"type":"ephemeral"}'))).toBe(true);
    // The first turn writes the cache; each later turn reads the whole earlier conversation (doc included).
    expect(cached[0]).toBe(0);
    expect(cached[1]).toBeGreaterThan(0);
    expect(cached[2]).toBeGreaterThan(cached[1]!);
    expect(result.usage.cachedInputTokens).toBe(cached[1]! + cached[2]!);
    // Cached input is priced at its own rate: the rest of the input at the input price, output at its own.
    const { inputTokens, outputTokens, cachedInputTokens } = result.usage;
    const expected =
      ((inputTokens - cachedInputTokens) * PRICE.inputPerMillionUsd +
        cachedInputTokens * PRICE.cachedInputPerMillionUsd +
        outputTokens * PRICE.outputPerMillionUsd) /
      1_000_000;
    expect(result.usage.costUsd).toBeCloseTo(expected, 9);
  });
});
