// The CodeAgent contract run against the in-process agent and against the HTTP client of `roma ptc serve`.
import { expect, it } from 'vitest';
import { smallServerConfig } from '../../../test/support/mcp-servers/index.js';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';
import { PtcStatsSchema } from '../../contracts/index.js';
import { codeAgentConformance } from './code-agent.conformance.js';
import { createHttpCodeAgent } from './http-code-agent.js';
import { publishTo, startPtcService } from './ptc-service.js';

const rules = [
  conversationRule('[contract-add]', [
    codeReply("console.log('sum=' + (await small.add({ a: 2, b: 40 })));"),
    finalAnswerFrom(/sum=(\d+)/),
  ]),
  conversationRule('[contract-fail]', [
    codeReply(
      "try { await small.fail({ reason: 'disk full' }); } catch (error) { console.log('caught ' + error.message); }",
    ),
    finalAnswerFrom(/caught (.*)/),
  ]),
  conversationRule('[contract-loop]', [codeReply("console.log('working');")]),
];

codeAgentConformance('in process', async () => {
  const harness = await startPtcHarness({ rules, servers: { small: smallServerConfig() } });
  return { agent: harness.agent, close: () => harness.close() };
});

let lastServiceUrl = '';
codeAgentConformance('HTTP (roma ptc serve)', async () => {
  const harness = await startPtcHarness({ rules, servers: { small: smallServerConfig() } });
  const service = await startPtcService({ agent: harness.agent, tools: harness.manager, port: 0 });
  harness.deps.onEvent = publishTo(service.hub);
  lastServiceUrl = service.url;
  return {
    agent: createHttpCodeAgent(service.url),
    close: async () => {
      await service.close();
      await harness.close();
    },
  };
});

it('serves /health, /stats and answers a bad plan with 400 and the field path', async () => {
  const harness = await startPtcHarness({ rules, servers: { small: smallServerConfig() } });
  const service = await startPtcService({ agent: harness.agent, tools: harness.manager, port: 0 });
  try {
    const health = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(5_000) });
    expect(await health.json()).toMatchObject({ status: 'ok', servers: [{ name: 'small' }] });
    const stats = PtcStatsSchema.parse(await (await fetch(`${service.url}/stats`)).json());
    expect(stats.executions).toBe(0);
    const bad = await fetch(`${service.url}/execute`, {
      method: 'POST',
      body: JSON.stringify({ planId: 'p', executionId: 'e', taskId: 't', goal: '' }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'plan.goal' } });
    const garbage = await fetch(`${service.url}/execute`, {
      method: 'POST',
      body: '{nope',
      signal: AbortSignal.timeout(5_000),
    });
    expect(garbage.status).toBe(400);
  } finally {
    await service.close();
    await harness.close();
  }
  expect(lastServiceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});
