// Secret canaries: an LLM key, MCP env values (credential-named or not) and an MCP header, echoed by hostile
// servers and printed, returned, thrown and written by programs, appear nowhere a user or provider can see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpMcpServer, startLeakyHttpMcpServer } from '../../../test/support/mcp-servers/index.js';
import {
  CANARIES,
  CANARY_HEADER_TOKEN,
  CANARY_LLM_KEY,
  canaryHostEnv,
  canaryServers,
  filesUnder,
  LEAKING_PROGRAM,
  THROWING_PROGRAM,
} from '../../../test/support/mcp-servers/secret-canaries.js';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  type PtcHarness,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';
import type { ScriptedRule } from '../../../test/support/scripted-model/index.js';

const rules: ScriptedRule[] = [
  conversationRule('[canary-code]', [
    codeReply(LEAKING_PROGRAM),
    // The model tries again: this time the program throws what it got.
    codeReply(THROWING_PROGRAM),
    finalAnswerFrom(),
  ]),
  {
    name: 'canary-401',
    match: { contains: ['[canary-401]'] },
    reply: {
      status: 401,
      errorBody: {
        error: { message: `Incorrect API key provided: ${CANARY_LLM_KEY}.`, type: 'invalid_request_error' },
      },
    },
  },
  {
    name: 'canary-direct-final',
    match: { contains: ['[canary-direct]', 'cannot connect with'] },
    reply: { text: 'FINAL ANSWER: done' },
  },
  {
    name: 'canary-direct',
    match: { contains: ['[canary-direct]'] },
    reply: {
      toolCalls: [
        { name: 'leaky__environment', args: {} },
        { name: 'leaky__structured_environment', args: {} },
        { name: 'leaky__fail_with_environment', args: {} },
        { name: 'web__echo_headers', args: {} },
        { name: 'web__fail_with_headers', args: {} },
      ],
    },
  },
];

describe('secret canaries (PTC agent)', () => {
  let web: HttpMcpServer;
  const harnesses: PtcHarness[] = [];

  beforeAll(async () => {
    web = await startLeakyHttpMcpServer();
  });
  afterAll(async () => {
    for (const harness of harnesses) await harness.close();
    await web.close();
  });

  async function harnessFor(mode: 'code' | 'direct'): Promise<PtcHarness> {
    const harness = await startPtcHarness({
      rules,
      mode,
      openaiApiKey: CANARY_LLM_KEY,
      // `${VAR}` references resolved on the host from hostEnv, as a user's config would.
      servers: canaryServers(web, 'DATABASE_URL'),
      hostEnv: canaryHostEnv('DATABASE_URL'),
    });
    harnesses.push(harness);
    return harness;
  }

  function everythingSeen(harness: PtcHarness, results: unknown[]): string {
    return [
      JSON.stringify(results),
      JSON.stringify(harness.events),
      // What the model provider received.
      harness.model.requests.map((request) => JSON.stringify(request.body)).join('\n'),
      // The artifact store: file names and contents, metadata.
      ...filesUnder(harness.dataDir),
    ].join('\n');
  }

  it('code mode: printed, returned, thrown and written values are redacted everywhere', async () => {
    const harness = await harnessFor('code');
    const result = await harness.execute({
      goal: '[canary-code] leak the credentials',
      tools: { servers: [{ name: 'leaky' }, { name: 'web' }] },
    });
    expect(result.status).toBe('SUCCESS');
    // Positive controls: the servers did get their values (they echoed something, redacted).
    const stdout = result.executions[0]!.stdout;
    expect(stdout).toContain('"DATABASE_URL":"***"');
    expect(stdout).toContain('"REGION_LABEL":"***"');
    expect(stdout).toContain('caught cannot connect with *** and ***');
    expect(stdout).toContain('"authorization":"***"');
    expect(web.authorizations).toContain(`Bearer ${CANARY_HEADER_TOKEN}`);
    expect(result.executions[1]!.stderr).toContain('leaking');
    expect(result.artifacts).toHaveLength(1);
    // Encoded by the server: what is left of the base64 and hex blobs around the redactions decodes to no canary.
    const encodedLine = stdout.split('\n').find((line) => line.startsWith('encoded '));
    const [, base64Blob = '', hexBlob = ''] = encodedLine?.match(/base64 (\S+) hex (\S+)/) ?? [];
    expect(base64Blob).toContain('***');
    expect(hexBlob).toContain('***');
    const decodedLeftovers = [
      ...base64Blob.split('***').map((part) => Buffer.from(part, 'base64').toString('utf8')),
      ...hexBlob.split('***').map((part) => Buffer.from(part, 'hex').toString('utf8')),
    ].join('\n');
    // Positive control: the leftovers are real decodable text around the values (the variable names survive).
    expect(decodedLeftovers).toContain('REGION_LABEL');
    const seen = everythingSeen(harness, [result]);
    for (const canary of CANARIES) expect(decodedLeftovers.includes(canary), canary).toBe(false);
    for (const canary of CANARIES) expect(seen.includes(canary), canary).toBe(false);
  });

  it('direct mode: tool results and errors sent to the model are redacted', async () => {
    const harness = await harnessFor('direct');
    const result = await harness.execute({
      goal: '[canary-direct] leak the credentials',
      tools: { servers: [{ name: 'leaky' }, { name: 'web' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.toolCalls).toHaveLength(5);
    const sentBack = harness.model.requests
      .at(-1)!
      .toolResults.map((entry) => entry.output)
      .join('\n');
    expect(sentBack).toContain('***');
    const seen = everythingSeen(harness, [result]);
    for (const canary of CANARIES) expect(seen.includes(canary), canary).toBe(false);
  });

  it("a provider's 401 that echoes the API key is scrubbed from the result and the events", async () => {
    const harness = await harnessFor('code');
    const result = await harness.execute({ goal: '[canary-401] anything' });
    expect(result.status).toBe('FAILURE');
    expect(result.error).toMatchObject({ code: 'MODEL_CALL_FAILED' });
    expect(result.error?.message).toContain('Incorrect API key provided: ***');
    const seen = everythingSeen(harness, [result]);
    for (const canary of CANARIES) expect(seen.includes(canary), canary).toBe(false);
  });
});
