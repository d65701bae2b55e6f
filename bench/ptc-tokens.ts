// ptc-tokens: tokens that enter the model's context per task, direct tool calling vs programmatic (code) mode.
//
// Each task is one piece of logic over `call(tool, args)`. Code mode: the scripted model writes that logic as a
// program (run in the isolate, only its printed answer comes back). Direct mode: the scripted model issues
// the same tool calls as JSON tool calls (parallel calls in one step), each result entering the context.
// Tokens are the scripted server's count (about one per four characters of each request), summed over calls.

import type { ScriptedRequest, ScriptedRule } from '../src/dev/scripted-model/index.js';
import { McpManager } from '../src/ptc/index.js';
import { dataServerConfig } from '../test/support/mcp-servers/index.js';
import { codeReply, conversationRule, startPtcHarness } from '../test/support/ptc/harness.js';

interface BenchTask {
  name: string;
  goal: string;
  /** JavaScript source of `async (call) => answer`; the same text runs in the sandbox and in the replay. */
  logic: string;
}

const TASKS: BenchTask[] = [
  {
    name: 'refunded-revenue',
    goal: 'How much revenue was refunded, and across how many orders?',
    logic: `async (call) => { const r = await call('list_orders', { status: 'refunded' });
      return { orders: r.total, usd: Math.round(r.orders.reduce((s, o) => s + o.totalUsd, 0) * 100) / 100 }; }`,
  },
  {
    name: 'top-customer-north',
    goal: 'Who is the top customer by order value in the north region, and what tier are they?',
    logic: `async (call) => { const r = await call('list_orders', { region: 'north' }); const by = {};
      for (const o of r.orders) by[o.customerId] = (by[o.customerId] ?? 0) + o.totalUsd;
      const id = Object.entries(by).sort((a, b) => b[1] - a[1])[0][0];
      const c = await call('get_customer', { customerId: id }); return { id, name: c.name, tier: c.tier }; }`,
  },
  {
    name: 'error-services',
    goal: 'Which service logs the most errors, and how many per service?',
    logic: `async (call) => { const r = await call('search_logs', { level: 'error' }); const by = {};
      for (const e of r.entries) by[e.service] = (by[e.service] ?? 0) + 1;
      return { top: Object.entries(by).sort((a, b) => b[1] - a[1])[0][0], counts: by }; }`,
  },
  {
    name: 'declined-payments',
    goal: 'What is the total value of the first three orders whose payment was declined?',
    logic: `async (call) => { const r = await call('search_logs', { query: 'payment declined' });
      const ids = [...new Set(r.entries.map((e) => e.orderId).filter(Boolean))].slice(0, 3);
      const orders = await Promise.all(ids.map((orderId) => call('get_order', { orderId })));
      return { ids, usd: Math.round(orders.reduce((s, o) => s + o.totalUsd, 0) * 100) / 100 }; }`,
  },
  {
    name: 'gold-open-tickets',
    goal: 'How many open support tickets do gold customers have?',
    logic: `async (call) => { const r = await call('list_customers', { tier: 'gold' });
      return { customers: r.customers.length, open: r.customers.flatMap((c) => c.supportTickets).filter((t) => t.status === 'open').length }; }`,
  },
  {
    name: 'pending-by-region',
    goal: 'How many orders are pending in each region?',
    logic: `async (call) => { const r = await call('list_orders', { status: 'pending' }); const by = {};
      for (const o of r.orders) by[o.region] = (by[o.region] ?? 0) + 1; return by; }`,
  },
  {
    name: 'best-selling-sku',
    goal: 'Which product sold the most units in delivered orders?',
    logic: `async (call) => { const r = await call('list_orders', { status: 'delivered' }); const by = {};
      for (const o of r.orders) for (const i of o.items) by[i.sku + ' ' + i.name] = (by[i.sku + ' ' + i.name] ?? 0) + i.quantity;
      const [sku, units] = Object.entries(by).sort((a, b) => b[1] - a[1])[0]; return { sku, units }; }`,
  },
  {
    name: 'platinum-delivered',
    goal: 'How many delivered orders belong to platinum customers?',
    logic: `async (call) => { const [c, o] = await Promise.all([call('list_customers', { tier: 'platinum' }), call('list_orders', { status: 'delivered' })]);
      const ids = new Set(c.customers.map((x) => x.id)); return { platinumCustomers: ids.size, deliveredOrders: o.orders.filter((x) => ids.has(x.customerId)).length }; }`,
  },
  {
    name: 'slow-shipping',
    goal: 'How many shipping log entries took over 1.5 s, and how many orders are currently shipped?',
    logic: `async (call) => { const [l, o] = await Promise.all([call('search_logs', { service: 'shipping' }), call('list_orders', { status: 'shipped' })]);
      return { slow: l.entries.filter((e) => e.latencyMs > 1500).length, shipped: o.total }; }`,
  },
  {
    name: 'cancelled-vs-refunded',
    goal: 'Compare the value of cancelled orders with refunded orders.',
    logic: `async (call) => { const [c, r] = await Promise.all([call('list_orders', { status: 'cancelled' }), call('list_orders', { status: 'refunded' })]);
      const sum = (x) => Math.round(x.orders.reduce((s, o) => s + o.totalUsd, 0) * 100) / 100;
      return { cancelledUsd: sum(c), refundedUsd: sum(r), larger: sum(c) > sum(r) ? 'cancelled' : 'refunded' }; }`,
  },
  {
    name: 'largest-order-customer',
    goal: 'What is the email of the customer who placed the largest order?',
    logic: `async (call) => { const r = await call('list_orders', {}); const top = r.orders.reduce((a, b) => (b.totalUsd > a.totalUsd ? b : a));
      const c = await call('get_customer', { customerId: top.customerId }); return { orderId: top.id, email: c.email }; }`,
  },
  {
    name: 'checkout-warnings',
    goal: 'What are the statuses of the first two orders with checkout warnings?',
    logic: `async (call) => { const r = await call('search_logs', { level: 'warn', service: 'checkout' });
      const ids = [...new Set(r.entries.map((e) => e.orderId).filter(Boolean))].slice(0, 2);
      const orders = await Promise.all(ids.map((orderId) => call('get_order', { orderId })));
      return orders.map((o) => ({ id: o.id, status: o.status })); }`,
  },
];

type Call = (tool: string, args: Record<string, unknown>) => Promise<unknown>;

/** The task logic as a host function (bench-authored text, never model output). */
function compile(logic: string): (call: Call) => Promise<unknown> {
  return new Function(`return (${logic});`)() as (call: Call) => Promise<unknown>;
}

/**
 * Direct mode's scripted model: replays the logic against the tool results already in the conversation;
 * the calls it makes beyond them (all those issued before it must wait) are the next step's tool calls.
 */
async function directReply(task: BenchTask, request: ScriptedRequest) {
  const results = request.toolResults.map((result) => JSON.parse(result.output) as unknown);
  const pending: Array<{ name: string; args: Record<string, unknown> }> = [];
  let index = 0;
  const call: Call = (tool, args) => {
    const position = index;
    index += 1;
    if (position < results.length) return Promise.resolve(results[position]);
    pending.push({ name: `data__${tool}`, args });
    return new Promise(() => undefined);
  };
  let answer: unknown;
  let settled = false;
  void compile(task.logic)(call).then((value) => {
    answer = value;
    settled = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (settled) return { text: `FINAL ANSWER: ${JSON.stringify(answer)}` };
  return { toolCalls: pending };
}

function program(task: BenchTask): string {
  return [
    'const call = (tool, args) => data[tool](args);',
    `const answer = await (${task.logic})(call);`,
    "console.log('ANSWER ' + JSON.stringify(answer));",
  ].join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const marker = (task: BenchTask) => `[bench:${task.name}]`;
const codeRules: ScriptedRule[] = TASKS.map((task) =>
  conversationRule(marker(task), [
    codeReply(program(task)),
    (report) => ({ text: `FINAL ANSWER: ${report.match(/ANSWER (.*)/)?.[1] ?? 'no answer printed'}` }),
  ]),
);
const directRules: ScriptedRule[] = TASKS.map((task) => ({
  name: marker(task),
  match: { contains: marker(task) },
  reply: (request: ScriptedRequest) => directReply(task, request),
}));

const manager = new McpManager({ servers: { data: dataServerConfig() } });
const code = await startPtcHarness({ rules: codeRules, manager, cache: false });
const direct = await startPtcHarness({ rules: directRules, manager, cache: false, mode: 'direct' });

interface Row {
  task: string;
  toolCalls: number;
  toolResultBytes: number;
  directTokens: number;
  codeTokens: number;
  reduction: number;
  sameAnswer: boolean;
}
const rows: Row[] = [];
try {
  for (const task of TASKS) {
    const input = {
      goal: `${marker(task)} ${task.goal}`,
      tools: { servers: [{ name: 'data' }] },
      limits: { maxIterations: 5, maxOutputChars: 20_000, tokenBudget: 2_000_000 },
    };
    const directResult = await direct.execute(input);
    const codeResult = await code.execute(input);
    if (directResult.status !== 'SUCCESS' || codeResult.status !== 'SUCCESS') {
      throw new Error(
        `${task.name}: direct ${directResult.status} ${directResult.error?.message ?? ''} / code ${codeResult.status} ${codeResult.error?.message ?? ''}`,
      );
    }
    const directTokens = directResult.usage.inputTokens;
    const codeTokens = codeResult.usage.inputTokens;
    rows.push({
      task: task.name,
      toolCalls: codeResult.toolCalls.length,
      toolResultBytes: codeResult.toolCalls.reduce((sum, call) => sum + call.resultBytes, 0),
      directTokens,
      codeTokens,
      reduction: 1 - codeTokens / directTokens,
      sameAnswer: directResult.summary === codeResult.summary,
    });
  }
} finally {
  await code.close();
  await direct.close();
  await manager.close();
}

console.log('task                     calls  tool KB  direct tok  code tok  reduction  same answer');
for (const row of rows) {
  console.log(
    `${row.task.padEnd(24)} ${String(row.toolCalls).padStart(5)}  ${(row.toolResultBytes / 1024).toFixed(1).padStart(7)}  ${String(row.directTokens).padStart(10)}  ${String(row.codeTokens).padStart(8)}  ${(row.reduction * 100).toFixed(1).padStart(8)}%  ${row.sameAnswer ? 'yes' : 'NO'}`,
  );
}
const reductions = rows.map((row) => row.reduction);
const totalDirect = rows.reduce((sum, row) => sum + row.directTokens, 0);
const totalCode = rows.reduce((sum, row) => sum + row.codeTokens, 0);
const summary = {
  bench: 'ptc-tokens',
  tasks: rows.length,
  medianContextReduction: Math.round(median(reductions) * 10_000) / 10_000,
  minContextReduction: Math.round(Math.min(...reductions) * 10_000) / 10_000,
  totalDirectTokens: totalDirect,
  totalCodeTokens: totalCode,
  sameAnswers: rows.filter((row) => row.sameAnswer).length,
};
console.log(
  `median reduction ${(summary.medianContextReduction * 100).toFixed(1)}%, min ${(summary.minContextReduction * 100).toFixed(1)}%, totals ${totalDirect} → ${totalCode} tokens`,
);
console.log(JSON.stringify(summary));
