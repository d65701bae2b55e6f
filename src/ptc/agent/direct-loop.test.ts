// Direct mode: classic JSON tool calls, each whole tool result in the model's context (the benchmark baseline).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataServerConfig,
  generateSalesData,
  smallServerConfig,
} from '../../../test/support/mcp-servers/index.js';
import { type PtcHarness, startPtcHarness } from '../../../test/support/ptc/harness.js';

const data = generateSalesData();
let harness: PtcHarness;

beforeAll(async () => {
  harness = await startPtcHarness({
    mode: 'direct',
    servers: { data: dataServerConfig(), small: smallServerConfig() },
    rules: [
      {
        name: 'refunds',
        match: { contains: '[direct-refunds]' },
        reply: (request) => {
          if (request.toolResults.length === 0) {
            return { toolCalls: [{ name: 'data__list_orders', args: { status: 'refunded' } }] };
          }
          const total = request.toolResults[0]!.output.match(/"total": (\d+)/)?.[1];
          return { text: `FINAL ANSWER: ${total} refunded orders` };
        },
      },
      {
        name: 'failing',
        match: { contains: '[direct-fail]' },
        reply: (request) =>
          request.toolResults.length === 0
            ? { toolCalls: [{ name: 'small__fail', args: { reason: 'upstream down' } }] }
            : { text: `FINAL ANSWER: saw ${request.toolResults[0]!.output}` },
      },
      {
        name: 'loop',
        match: { contains: '[direct-loop]' },
        reply: { toolCalls: [{ name: 'small__add', args: { a: 1, b: 1 } }] },
      },
    ],
  });
});

afterAll(async () => {
  await harness?.close();
});

describe('PTC agent (direct mode)', () => {
  it('offers every tool as a JSON tool and puts the whole result in the context', async () => {
    const result = await harness.execute({
      goal: '[direct-refunds] count refunds',
      tools: { servers: [{ name: 'data' }] },
    });
    const refunded = data.orders.filter((order) => order.status === 'refunded').length;
    expect(result).toMatchObject({ status: 'SUCCESS', summary: `${refunded} refunded orders` });
    expect(harness.model.requests.at(-1)!.toolNames).toContain('data__search_logs');
    expect(result.toolCalls).toMatchObject([{ server: 'data', tool: 'list_orders', ok: true }]);
    expect(harness.model.requests.at(-1)!.text.length).toBeGreaterThan(result.toolCalls[0]!.resultBytes);
    expect(harness.events.filter((event) => event.type === 'llm-call')).toHaveLength(2);
  });

  it('returns a tool error to the model as the tool result', async () => {
    const result = await harness.execute({
      goal: '[direct-fail] try',
      tools: { servers: [{ name: 'small' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.summary).toContain('upstream down');
    expect(result.toolCalls).toMatchObject([{ tool: 'fail', ok: false }]);
  });

  it('stops after its step limit with the reason', async () => {
    const result = await harness.execute({
      goal: '[direct-loop] forever',
      tools: { servers: [{ name: 'small' }] },
      limits: { maxIterations: 1 },
    });
    expect(result.status).toBe('PARTIAL_SUCCESS');
    expect(result.error?.message).toContain('3 steps');
    expect(result.toolCalls).toHaveLength(3);
  });
});
