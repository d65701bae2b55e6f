// A server's sampling requests during a tool call, over real HTTP both ways: answered by the run's model (the
// scripted model server) with a capped reply, recorded as an llm-call and counted in the plan's usage; refused
// with a reason where the config turns sampling off. Log and progress notifications become tool-notice events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthHttpMcpServer, startOAuthHttpMcpServer } from '../../../test/support/mcp-servers/index.js';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  type PtcHarness,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';
import type { NewStreamEvent } from '../../contracts/index.js';

const SUMMARY = 'Apples are mostly red or green.';
const SAMPLING_CAP = 64;

describe('MCP sampling and notifications during a PTC run', () => {
  let server: OAuthHttpMcpServer;
  let harness: PtcHarness;

  beforeAll(async () => {
    server = await startOAuthHttpMcpServer({ oauth: false });
    harness = await startPtcHarness({
      prices: { 'openai:scripted': { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } },
      servers: {
        helper: {
          transport: 'http',
          url: server.url,
          headers: {},
          timeoutMs: 20_000,
          sampling: { enabled: true, maxOutputTokens: SAMPLING_CAP },
        },
        closed: {
          transport: 'http',
          url: server.url,
          headers: {},
          timeoutMs: 20_000,
          sampling: { enabled: false, maxOutputTokens: SAMPLING_CAP },
        },
      },
      rules: [
        {
          name: 'sampling-answer',
          match: { contains: ['You summarize in one line.', 'Summarize: apples'] },
          reply: { text: SUMMARY, usage: { inputTokens: 40, outputTokens: 9 } },
        },
        conversationRule('[sampling]', [
          codeReply(
            [
              "const summary = await helper.summarize({ text: 'apples come in many colours' });",
              "console.log('summary', JSON.stringify(summary));",
            ].join('\n'),
          ),
          finalAnswerFrom(),
        ]),
        conversationRule('[sampling-bound]', [
          codeReply(
            [
              'let answered = 0;',
              'for (let index = 0; index < 11; index += 1) {',
              '  try {',
              "    await helper.summarize({ text: 'apples come in many colours' });",
              '    answered += 1;',
              '  } catch (error) {',
              "    console.log('refused', error.message);",
              '  }',
              '}',
              "console.log('answered', answered);",
            ].join('\n'),
          ),
          finalAnswerFrom(),
        ]),
        conversationRule('[refused]', [
          codeReply(
            [
              'try {',
              "  await closed.summarize({ text: 'apples come in many colours' });",
              '} catch (error) {',
              "  console.log('refused', error.message);",
              '}',
            ].join('\n'),
          ),
          finalAnswerFrom(),
        ]),
      ],
    });
  });
  afterAll(async () => {
    await harness?.close();
    await server?.close();
  });

  function eventsOf(before: number, type: NewStreamEvent['type']) {
    return harness.events.slice(before).filter((event) => event.type === type);
  }

  it("answers with the run's model: capped reply, an llm-call event, usage counted in the plan's", async () => {
    const before = harness.events.length;
    const result = await harness.execute({
      goal: '[sampling] summarize the apples text',
      tools: { servers: [{ name: 'helper' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.executions[0]!.stdout).toContain(`summary "summary: ${SUMMARY}"`);
    expect(server.samplingResults.at(-1)).toEqual({ text: SUMMARY, model: 'openai:scripted' });
    // The request the model got: the server's system prompt and message, its 50 000 tokens cut to the cap.
    const asked = harness.model.requests.filter((request) => request.matchedRule === 'sampling-answer');
    expect(asked).toHaveLength(1);
    expect(JSON.stringify(asked[0]!.body)).toContain(`:${SAMPLING_CAP}`);
    expect(JSON.stringify(asked[0]!.body)).not.toContain('50000');
    const calls = eventsOf(before, 'llm-call');
    expect(calls).toHaveLength(3);
    const samplingCall = calls.find((event) => event.type === 'llm-call' && event.inputTokens === 40);
    expect(samplingCall).toMatchObject({ module: 'ptc', outputTokens: 9, ok: true });
    expect(samplingCall?.type === 'llm-call' && samplingCall.costUsd).toBeGreaterThan(0);
    const summed = calls.reduce(
      (total, event) => total + (event.type === 'llm-call' ? event.inputTokens + event.outputTokens : 0),
      0,
    );
    expect(result.usage.inputTokens + result.usage.outputTokens).toBe(summed);
    // Notifications of the same call: the server's progress and its log message.
    const notices = eventsOf(before, 'tool-notice');
    expect(notices).toContainEqual(
      expect.objectContaining({
        server: 'helper',
        tool: 'summarize',
        kind: 'progress',
        progress: 1,
        total: 2,
      }),
    );
    expect(notices).toContainEqual(
      expect.objectContaining({ kind: 'log', level: 'info', message: 'summarizing 27 characters' }),
    );
  });

  it('refuses past 10 requests per plan, with the reason in a declined notice and to the server', async () => {
    const before = harness.events.length;
    const result = await harness.execute({
      goal: '[sampling-bound] summarize it eleven times',
      tools: { servers: [{ name: 'helper' }] },
    });
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCESS');
    const stdout = result.executions[0]!.stdout;
    expect(stdout).toContain('answered 10');
    expect(stdout).toContain('at most 10 sampling requests per plan');
    expect(server.samplingResults.at(-1)).toMatchObject({
      error: expect.stringContaining('sampling refused: at most 10 sampling requests per plan'),
    });
    const declined = eventsOf(before, 'tool-notice').filter(
      (event) => event.type === 'tool-notice' && event.kind === 'declined',
    );
    expect(declined).toHaveLength(1);
    expect(declined[0]).toMatchObject({ server: 'helper', tool: 'summarize' });
    // Positive control for the count: ten answers, each an llm-call, beside the loop's own two.
    expect(eventsOf(before, 'llm-call')).toHaveLength(12);
  });

  it('refuses when the config turns sampling off: not declared, no model call', async () => {
    const before = harness.events.length;
    const asked = harness.model.requests.filter(
      (request) => request.matchedRule === 'sampling-answer',
    ).length;
    const result = await harness.execute({
      goal: '[refused] summarize the apples text',
      tools: { servers: [{ name: 'closed' }] },
    });
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCESS');
    expect(result.executions[0]!.stdout).toContain('refused');
    // Not declared, so the client has no handler: the SDK answers "method not found".
    expect(server.samplingResults.at(-1)).toMatchObject({
      error: expect.stringContaining('Method not found'),
    });
    expect(
      harness.model.requests.filter((request) => request.matchedRule === 'sampling-answer'),
    ).toHaveLength(asked);
    expect(eventsOf(before, 'llm-call')).toHaveLength(2);
  });
});
