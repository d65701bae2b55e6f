// The PTC agent end to end: scripted model, real MCP servers (in-repo and published), the QuickJS isolate.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataServerConfig,
  envReference,
  generateSalesData,
  memoryServerConfig,
  smallServerConfig,
} from '../../../test/support/mcp-servers/index.js';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  type PtcHarness,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';
import type { ScriptedRequest } from '../../dev/scripted-model/index.js';

const SECRET = 'sk-live-93b1e0c4d8aa41f2';
const data = generateSalesData();
let memoryDir: string;
let harness: PtcHarness;

/** The system prompt the agent sent with a model request (its first message). */
function systemPrompt(request: ScriptedRequest): string {
  return (request.body.messages as Array<{ content: string }>)[0]!.content;
}

beforeAll(async () => {
  memoryDir = mkdtempSync(join(tmpdir(), 'roma-ptc-memory-'));
  harness = await startPtcHarness({
    servers: {
      small: smallServerConfig({ TEST_SECRET: envReference('PTC_TEST_SECRET') }),
      data: dataServerConfig(),
      memory: memoryServerConfig(join(memoryDir, 'memory.jsonl')),
    },
    hostEnv: { ...process.env, PTC_TEST_SECRET: SECRET },
    rules: [
      conversationRule('[add-task]', [
        codeReply("const sum = await small.add({ a: 19, b: 23 });\nconsole.log('sum=' + sum);"),
        finalAnswerFrom(/sum=(\d+)/, 'not found'),
      ]),
      conversationRule('[multi-tool]', [
        codeReply(
          [
            "import * as shop from './tools/data.ts';",
            "const { orders } = await shop.list_orders({ status: 'refunded' });",
            'const ids = [...new Set(orders.map((order) => order.customerId))].slice(0, 3);',
            'const customers = await Promise.all(ids.map((customerId) => shop.get_customer({ customerId })));',
            'const errors = await data.search_logs({ level: "error" });',
            'console.log(JSON.stringify({ refunded: orders.length, names: customers.map((c) => c.name), errors: errors.total }));',
          ].join('\n'),
        ),
        finalAnswerFrom(/(\{"refunded".*\})/, 'not found'),
      ]),
      conversationRule('[tool-error]', [
        codeReply(
          [
            'try {',
            "  await small.fail({ reason: 'quota exhausted for project X' });",
            "  console.log('no error');",
            '} catch (error) {',
            "  console.log('caught: ' + error.message);",
            '}',
          ].join('\n'),
        ),
        finalAnswerFrom(/caught: (.*)/, 'not found'),
      ]),
      conversationRule('[credential]', [
        codeReply(
          [
            'const status = await small.secret_status({});',
            "const env = typeof process === 'undefined' ? 'no process' : JSON.stringify(process.env);",
            "const files = workspace.listFiles('tools').map((path) => path + ':' + workspace.readFile(path)).join('\\n');",
            "console.log(JSON.stringify(status), env, files.length, globalThis.PTC_TEST_SECRET ?? 'no global');",
            "workspace.writeFile('results/dump.txt', files);",
          ].join('\n'),
        ),
        { text: 'FINAL ANSWER: the server has its secret; the sandbox does not.' },
      ]),
      conversationRule('[truncate]', [
        codeReply('const { orders } = await data.list_orders({});\nconsole.log(JSON.stringify(orders));'),
        (report) => ({
          text: `FINAL ANSWER: ${report.includes('[truncated') ? 'output was truncated' : 'full output'}`,
        }),
      ]),
      conversationRule('[never-done]', [codeReply("console.log('still working');")]),
      conversationRule('[artifact]', [
        codeReply(
          [
            "const { orders } = await data.list_orders({ region: 'north' });",
            "const csv = ['id,total', ...orders.map((order) => order.id + ',' + order.totalUsd)].join('\\n');",
            "workspace.writeFile('results/north.csv', csv);",
            "workspace.writeFile('results/summary.json', JSON.stringify({ count: orders.length }));",
            "console.log('rows=' + orders.length);",
          ].join('\n'),
        ),
        finalAnswerFrom(/rows=(\d+)/, 'not found'),
      ]),
      conversationRule('[memory]', [
        codeReply(
          [
            "await memory.create_entities({ entities: [{ name: 'Grace', entityType: 'person', observations: ['invented the compiler'] }] });",
            'const graph = await memory.read_graph({});',
            "console.log('entities=' + graph.entities.map((entity) => entity.name).join(','));",
          ].join('\n'),
        ),
        finalAnswerFrom(/entities=(.*)/, 'not found'),
      ]),
      conversationRule('[doc]', [
        codeReply(
          [
            "const doc = await readToolDoc('data', 'search_logs');",
            "const full = await readToolDoc('data', 'search_logs', 'full');",
            "console.log([doc.split('\\n')[0], doc.includes('Input JSON Schema'), full.includes('Input JSON Schema')].join(' '));",
          ].join('\n'),
        ),
        finalAnswerFrom(/stdout:\n(.*)/, 'not found'),
      ]),
    ],
  });
});

afterAll(async () => {
  await harness?.close();
  rmSync(memoryDir, { recursive: true, force: true });
});

describe('PTC agent (code mode)', () => {
  it('calls a tool from sandboxed code and answers from the printed result', async () => {
    const result = await harness.execute({
      goal: '[add-task] add 19 and 23',
      tools: { servers: [{ name: 'small' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.summary).toBe('42');
    expect(result.iterationsUsed).toBe(1);
    expect(result.toolCalls).toMatchObject([{ server: 'small', tool: 'add', ok: true }]);
    const types = harness.events
      .filter((event) => event.executionId === result.planId.replace('plan', 'exec'))
      .map((event) => event.type);
    expect(types).toEqual([
      'llm-call',
      'code-execution-start',
      'tool-call',
      'code-execution-end',
      'llm-call',
    ]);
  });

  it('runs a multi-tool program (import style, parallel calls) over the data-heavy server', async () => {
    const result = await harness.execute({
      goal: '[multi-tool] refunds report',
      tools: { servers: [{ name: 'data' }] },
    });
    expect(result.status).toBe('SUCCESS');
    const refunded = data.orders.filter((order) => order.status === 'refunded');
    const summary = JSON.parse(result.summary) as { refunded: number; names: string[]; errors: number };
    expect(summary.refunded).toBe(refunded.length);
    expect(summary.names).toHaveLength(3);
    expect(summary.errors).toBe(data.logs.filter((entry) => entry.level === 'error').length);
    expect(result.toolCalls.map((call) => call.tool).sort()).toEqual([
      'get_customer',
      'get_customer',
      'get_customer',
      'list_orders',
      'search_logs',
    ]);
    const bytes = result.toolCalls.reduce((sum, call) => sum + call.resultBytes, 0);
    expect(bytes).toBeGreaterThan(20_000);
    // Only the printed line went back to the model, not the tool results.
    const lastRequest = harness.model.requests.at(-1)!;
    expect(lastRequest.text.length).toBeLessThan(bytes / 2);
  });

  it('delivers a tool error to the code as an exception with the server message', async () => {
    const result = await harness.execute({
      goal: '[tool-error] try the failing tool',
      tools: { servers: [{ name: 'small' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.summary).toContain('quota exhausted for project X');
    expect(result.toolCalls).toMatchObject([
      { tool: 'fail', ok: false, error: expect.stringContaining('quota exhausted') },
    ]);
  });

  it('keeps credentials on the host: the secret is nowhere in sandbox, files, modules, events or result', async () => {
    const result = await harness.execute({
      goal: '[credential] check the secret',
      tools: { servers: [{ name: 'small' }] },
    });
    expect(result.status).toBe('SUCCESS');
    // The server did receive it (through the host's env)...
    expect(result.executions[0]!.stdout).toContain(`{"present":true,"length":${SECRET.length}}`);
    expect(result.executions[0]!.stdout).toContain('no process');
    // ...and none of what the sandbox, the model or the store saw contains it.
    const everything = [
      JSON.stringify(result),
      JSON.stringify(harness.events),
      harness.model.requests.map((request) => JSON.stringify(request.body)).join('\n'),
    ];
    const root = join(harness.dataDir, 'artifacts');
    const stack = [root];
    while (stack.length > 0) {
      const path = stack.pop()!;
      if (statSync(path).isDirectory()) stack.push(...readdirSync(path).map((entry) => join(path, entry)));
      else everything.push(readFileSync(path, 'utf8'));
    }
    const dump = result.artifacts.find((artifact) => artifact.name === 'dump.txt');
    expect(dump).toBeDefined();
    expect(everything.join('\n')).toContain('__romaCallTool');
    for (const text of everything) expect(text).not.toContain(SECRET);
  });

  it('truncates long output visibly before it reaches the model', async () => {
    const result = await harness.execute({
      goal: '[truncate] print everything',
      tools: { servers: [{ name: 'data' }] },
      limits: { maxOutputChars: 2_000 },
    });
    expect(result.summary).toBe('output was truncated');
    expect(result.executions[0]!.truncated).toBe(true);
    expect(result.executions[0]!.stdout.length).toBeLessThan(2_200);
  });

  it('stops at maxIterations with PARTIAL_SUCCESS and the reason', async () => {
    const result = await harness.execute({ goal: '[never-done] keep going', limits: { maxIterations: 2 } });
    expect(result.status).toBe('PARTIAL_SUCCESS');
    expect(result.iterationsUsed).toBe(2);
    expect(result.error).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      message: expect.stringContaining('maxIterations (2)'),
    });
    expect(result.summary).toBe('still working');
  });

  it('stops when the token budget is spent', async () => {
    const result = await harness.execute({ goal: '[never-done] budget', limits: { tokenBudget: 50 } });
    expect(result.error?.message).toContain('tokenBudget (50)');
    // The first call's input alone passes 50 tokens: it is never sent (the budget is checked before spending).
    expect(result.error?.message).toContain("the next model call's input");
    expect(result.iterationsUsed).toBe(0);
  });

  it('stores files under results/ as artifacts with the right sha256', async () => {
    const result = await harness.execute({
      goal: '[artifact] export north orders',
      tools: { servers: [{ name: 'data' }] },
    });
    expect(result.status).toBe('SUCCESS');
    const north = data.orders.filter((order) => order.region === 'north');
    const expected = ['id,total', ...north.map((order) => `${order.id},${order.totalUsd}`)].join('\n');
    const csv = result.artifacts.find((artifact) => artifact.name === 'north.csv');
    expect(csv).toMatchObject({
      mimeType: 'text/csv',
      bytes: Buffer.byteLength(expected),
      sha256: createHash('sha256').update(expected).digest('hex'),
    });
    expect(new TextDecoder().decode(await harness.artifactStore.get(csv!.uri))).toBe(expected);
    expect(result.artifacts.find((artifact) => artifact.name === 'summary.json')?.mimeType).toBe(
      'application/json',
    );
  });

  it('answers a repeated plan from the cache (CACHE_HIT, fromCache)', async () => {
    const plan = {
      goal: '[add-task] cached sum',
      tools: { servers: [{ name: 'small' }] },
      cacheStrategy: 'ALWAYS' as const,
    };
    const first = await harness.execute(plan);
    const requestsAfterFirst = harness.model.requests.length;
    const second = await harness.execute(plan);
    expect(first.status).toBe('SUCCESS');
    expect(second).toMatchObject({
      status: 'CACHE_HIT',
      fromCache: true,
      summary: '42',
      cacheKey: first.cacheKey,
    });
    expect(second.cacheKey).toMatch(/^ptc:v2:[0-9a-f]{64}$/);
    // Nothing was spent this time; the first run's spend stays with it.
    expect(first.usage.inputTokens).toBeGreaterThan(0);
    expect(second.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(harness.model.requests.length).toBe(requestsAfterFirst);
    expect(harness.agent.stats().cacheHits).toBeGreaterThanOrEqual(1);
  });

  it('uses the published memory server from sandboxed code', async () => {
    const result = await harness.execute({
      goal: '[memory] remember Grace',
      tools: { servers: [{ name: 'memory' }] },
    });
    expect(result.status).toBe('SUCCESS');
    expect(result.summary).toContain('Grace');
  });

  it('lets the model read a short tool doc on demand, and the full one', async () => {
    const result = await harness.execute({
      goal: '[doc] read a doc',
      tools: { servers: [{ name: 'data' }] },
    });
    // The short doc by default, the JSON Schemas only when asked for.
    expect(result.summary).toBe('# data.search_logs false true');
    const system = systemPrompt(harness.model.requests.at(-1)!);
    expect(system).toContain(
      '- data: 5 tools [list_orders, get_order, list_customers, get_customer, search_logs]',
    );
    expect(system).not.toContain('Searches service logs');
  });

  it('fails cleanly for an unknown server, naming the field', async () => {
    const result = await harness.execute({
      goal: '[add-task] nowhere',
      tools: { servers: [{ name: 'nope' }] },
    });
    expect(result.status).toBe('FAILURE');
    expect(result.error).toMatchObject({ code: 'TOOL_FAILED', message: expect.stringContaining('nope') });
  });
});

describe('PTC agent (limits, cancellation, testing)', () => {
  let local: PtcHarness;
  beforeAll(async () => {
    local = await startPtcHarness({
      rules: [
        conversationRule('[busy-loop]', [codeReply('while (true) {}')]),
        conversationRule('[slow-model]', [{ ...codeReply("console.log('late')"), latencyMs: 5_000 }]),
        conversationRule('[tested]', [
          {
            text: [
              '```typescript',
              'const total = [1, 2, 3].reduce((sum, value) => sum + value, 1);',
              "console.log('total=' + total);",
              '```',
              '```typescript test',
              "if (total !== 6) throw new Error('expected 6, got ' + total);",
              '```',
            ].join('\n'),
          },
          {
            text: [
              '```typescript',
              'const total = [1, 2, 3].reduce((sum, value) => sum + value, 0);',
              "console.log('total=' + total);",
              '```',
              '```typescript test',
              "if (total !== 6) throw new Error('expected 6, got ' + total);",
              '```',
            ].join('\n'),
          },
          finalAnswerFrom(/total=(\d+)/),
        ]),
      ],
    });
  });
  afterAll(async () => {
    await local?.close();
  });

  it('maps a program stopped by the sandbox time limit to TIMEOUT', async () => {
    const result = await local.execute({
      goal: '[busy-loop] spin',
      sandbox: { provider: 'isolate', timeoutMs: 1_000, memoryMb: 64 },
      limits: { maxIterations: 1 },
    });
    expect(result.executions[0]!.stoppedBy, JSON.stringify(result.executions[0])).toMatch(
      /timeout|interrupt/,
    );
    expect(result.status).toBe('TIMEOUT');
  });

  it('maps cancellation to CANCELLED', async () => {
    const controller = new AbortController();
    const pending = local.execute({ goal: '[slow-model] wait' }, controller.signal);
    setTimeout(() => controller.abort(), 200);
    const result = await pending;
    expect(result.status).toBe('CANCELLED');
    expect(result.error?.code).toBe('CANCELLED');
  });

  it('runs the model-written test after the program and iterates until it passes', async () => {
    const result = await local.execute({ goal: '[tested] sum with a test', enableTesting: true });
    expect(result.status).toBe('SUCCESS');
    expect(result.summary).toBe('6');
    expect(result.testResults).toMatchObject([
      { passed: false, message: expect.stringContaining('expected 6, got 7') },
      { passed: true },
    ]);
    expect(result.iterationsUsed).toBe(2);
    const system = systemPrompt(local.model.requests.at(-1)!);
    expect(system).toContain('tagged test');
  });
});

describe('PTC agent with a broken server among the configured ones', () => {
  let local: PtcHarness;
  beforeAll(async () => {
    local = await startPtcHarness({
      servers: {
        small: smallServerConfig(),
        broken: {
          transport: 'stdio',
          command: '/nonexistent/mcp-server',
          args: [],
          env: {},
          timeoutMs: 5_000,
        },
      },
      rules: [
        conversationRule('[partial-tools]', [
          codeReply("console.log('sum=' + (await small.add({ a: 1, b: 2 })));"),
          finalAnswerFrom(/sum=(\d+)/),
        ]),
      ],
    });
  });
  afterAll(async () => {
    await local?.close();
  });

  it('leaves the broken server out, says so, and still runs the plan', async () => {
    const result = await local.execute({
      goal: '[partial-tools] add',
      tools: { servers: [{ name: 'small' }, { name: 'broken' }] },
    });
    expect(result).toMatchObject({ status: 'SUCCESS', summary: '3' });
    expect(local.events.find((event) => event.type === 'warning')).toMatchObject({
      code: 'TOOL_FAILED',
      message: expect.stringContaining('cannot connect to MCP server broken'),
    });
    const system = systemPrompt(local.model.requests[0]!);
    expect(system).toContain('- broken: unavailable right now');
  });
});
