// Tool search: past the threshold the prompt lists servers only, and the program finds tools by a query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallServerConfig, wideCatalog, wideServerConfig } from '../../../test/support/mcp-servers/index.js';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  type PtcHarness,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';
import type { ToolCatalog } from '../modules/tool-catalog.js';
import { searchTools, TOOL_SEARCH_THRESHOLD } from '../modules/tool-search.js';

const catalog: ToolCatalog = {
  servers: [
    {
      name: 'work',
      identifier: 'work',
      tools: wideCatalog(200).map((tool) => ({ server: 'work', ...tool })),
    },
  ],
};

describe('searchTools', () => {
  it('ranks tools by the words of the query in their names and descriptions', () => {
    expect(searchTools(catalog, 'search support tickets', 3).map((hit) => hit.call)).toEqual([
      'work.support_search_tickets',
      expect.stringMatching(/^work\.support_/),
      expect.stringMatching(/^work\.support_/),
    ]);
    expect(searchTools(catalog, 'change history of an invoice', 1)[0]?.call).toBe(
      'work.billing_history_invoice',
    );
    expect(searchTools(catalog, 'zzz qqq')).toEqual([]);
    expect(searchTools(catalog, '', 5)).toEqual([]);
  });

  it('bounds the number of hits and never throws on hostile queries (fuzz)', () => {
    expect(searchTools(catalog, 'list', 10_000).length).toBeLessThanOrEqual(50);
    expect(searchTools(catalog, 'list', -3).length).toBeGreaterThan(0);
    let seed = 5;
    for (let index = 0; index < 300; index += 1) {
      seed = (seed * 48_271) % 2_147_483_647;
      const query = String.fromCharCode(
        ...Array.from({ length: seed % 40 }, (_, at) => (seed >> (at % 16)) % 65_536),
      );
      expect(Array.isArray(searchTools(catalog, query.repeat(seed % 3 === 0 ? 1_000 : 1)))).toBe(true);
    }
  });
});

describe('PTC with a 200-tool server', () => {
  let harness: PtcHarness;
  beforeAll(async () => {
    harness = await startPtcHarness({
      servers: { work: wideServerConfig(200), small: smallServerConfig() },
      rules: [
        conversationRule('[find-tool]', [
          codeReply(
            [
              "const hits = await searchTools('search support tickets', 3);",
              "const [server, tool] = hits[0].call.split('.');",
              "const result = await globalThis[server][tool]({ filter: { status: 'open' } });",
              "console.log('ANSWER=' + hits[0].call + ' ' + JSON.stringify(result));",
            ].join('\n'),
          ),
          finalAnswerFrom(/ANSWER=(.*)/, 'none'),
        ]),
        conversationRule('[few-tools]', [{ text: 'FINAL ANSWER: nothing to do' }]),
      ],
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('lists servers with tool counts instead of 200 names, and the program finds and calls a tool', async () => {
    const result = await harness.execute({
      goal: '[find-tool] find open support tickets',
      tools: { servers: [{ name: 'work' }, { name: 'small' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.summary).toBe(
      'work.support_search_tickets {"tool":"support_search_tickets","arguments":{"filter":{"status":"open"}}}',
    );
    const prompt = harness.model.requests.find((request) => request.text.includes('[find-tool]'))?.text ?? '';
    expect(prompt).toMatch(/- work: 200 tools — global `work`/);
    expect(prompt).toContain('searchTools(');
    expect(prompt).not.toContain('crm_list_customers');
    expect(prompt).not.toContain('[add, ');
  });

  it(`lists tool names when the plan has at most ${TOOL_SEARCH_THRESHOLD} tools`, async () => {
    await harness.execute({ goal: '[few-tools] nothing', tools: { servers: [{ name: 'small' }] } });
    const prompt = harness.model.requests.find((request) => request.text.includes('[few-tools]'))?.text ?? '';
    expect(prompt).toMatch(/- small: \d+ tools \[add, /);
    expect(prompt).not.toContain('searchTools(');
  });
});
