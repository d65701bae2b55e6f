// A PTC result-cache hit makes no model call and says what it saved: the run behind the stored result's usage.
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

const PRICE = { inputPerMillionUsd: 3, outputPerMillionUsd: 15 };

let harness: PtcHarness;
beforeAll(async () => {
  harness = await startPtcHarness({
    prices: { 'openai:scripted': PRICE },
    servers: { small: smallServerConfig() },
    rules: [
      conversationRule('[saved]', [
        codeReply(
          "const sum = await small.add({ a: 19, b: 23 });\nconsole.log('ANSWER=' + JSON.stringify(sum));",
        ),
        finalAnswerFrom(/ANSWER=(.*)/, 'none'),
      ]),
    ],
  });
});
afterAll(async () => {
  await harness?.close();
});

async function executeCollecting(cacheStrategy: 'ALWAYS' | 'NEVER') {
  const from = harness.events.length;
  const result = await harness.execute({
    goal: '[saved] add 19 and 23',
    tools: { servers: [{ name: 'small' }] },
    cacheStrategy,
  });
  return { result, events: harness.events.slice(from) as NewStreamEvent[] };
}

describe('PTC result cache: a hit counts as saved tokens', () => {
  it('emits ptc-cache-hit with the original run usage, and nothing on a miss or an uncached plan', async () => {
    const first = await executeCollecting('ALWAYS');
    expect(first.result.status).toBe('SUCCESS');
    expect(first.result.usage.inputTokens).toBeGreaterThan(0);
    expect(first.result.usage.costUsd).toBeGreaterThan(0);
    expect(first.events.some((event) => event.type === 'llm-call')).toBe(true);
    expect(first.events.some((event) => event.type === 'ptc-cache-hit')).toBe(false);

    const requests = harness.model.requests.length;
    const second = await executeCollecting('ALWAYS');
    expect(harness.model.requests.length).toBe(requests);
    expect(second.result).toMatchObject({ status: 'CACHE_HIT', fromCache: true });
    expect(second.result.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(second.result.savedUsage).toEqual(first.result.usage);
    expect(second.events).toEqual([
      expect.objectContaining({
        type: 'ptc-cache-hit',
        taskId: expect.any(String),
        cacheKey: second.result.cacheKey,
        savedInputTokens: first.result.usage.inputTokens,
        savedOutputTokens: first.result.usage.outputTokens,
        savedCostUsd: first.result.usage.costUsd,
      }),
    ]);

    // A plan that may not be cached runs again and saves nothing.
    const uncached = await executeCollecting('NEVER');
    expect(uncached.result.status).toBe('SUCCESS');
    expect(uncached.result.savedUsage).toBeUndefined();
    expect(uncached.events.some((event) => event.type === 'ptc-cache-hit')).toBe(false);
  });
});
