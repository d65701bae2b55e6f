// The ptc-tokens benchmark's tasks: logic over `call(tool, args)` and a ground truth computed from the data.
import type { SalesData } from '../src/dev/sales-server/index.js';

export interface BenchTask {
  name: string;
  /** The MCP server the task's tools are on (as named in the benchmark's config). */
  server: 'data' | 'files';
  goal: string;
  /** JavaScript source of `async (call) => answer`; the same text runs in the sandbox and in the replay. */
  logic: string;
  /** The answer computed independently from the data (never by running `logic`). */
  truth: (data: SalesData, files: GeneratedFiles) => unknown;
  /** Small-result tasks: where code mode is expected to cost more. */
  small?: boolean;
}

export interface GeneratedFiles {
  directory: string;
  /** File name → rows of `day,store,units,usd`. */
  rows: Record<string, Array<{ day: string; store: string; units: number; usd: number }>>;
}

const cents = (value: number) => Math.round(value * 100) / 100;
const countBy = <T>(items: T[], key: (item: T) => string) => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};
const topOf = (counts: Record<string, number>) => Object.entries(counts).sort((a, b) => b[1] - a[1])[0]![0];

export const TASKS: BenchTask[] = [
  {
    name: 'refunded-revenue',
    server: 'data',
    goal: 'How much revenue was refunded, and across how many orders?',
    logic: `async (call) => { const r = await call('list_orders', { status: 'refunded' });
      return { orders: r.total, usd: Math.round(r.orders.reduce((s, o) => s + o.totalUsd, 0) * 100) / 100 }; }`,
    truth: (d) => {
      const orders = d.orders.filter((o) => o.status === 'refunded');
      return { orders: orders.length, usd: cents(orders.reduce((s, o) => s + o.totalUsd, 0)) };
    },
  },
  {
    name: 'top-customer-north',
    server: 'data',
    goal: 'Who is the top customer by order value in the north region, and what tier are they?',
    logic: `async (call) => { const r = await call('list_orders', { region: 'north' }); const by = {};
      for (const o of r.orders) by[o.customerId] = (by[o.customerId] ?? 0) + o.totalUsd;
      const id = Object.entries(by).sort((a, b) => b[1] - a[1])[0][0];
      const c = await call('get_customer', { customerId: id }); return { id, name: c.name, tier: c.tier }; }`,
    truth: (d) => {
      const by: Record<string, number> = {};
      for (const o of d.orders.filter((x) => x.region === 'north'))
        by[o.customerId] = (by[o.customerId] ?? 0) + o.totalUsd;
      const id = Object.entries(by).sort((a, b) => b[1] - a[1])[0]![0];
      const c = d.customers.find((x) => x.id === id)!;
      return { id, name: c.name, tier: c.tier };
    },
  },
  {
    name: 'error-services',
    server: 'data',
    goal: 'Which service logs the most errors, and how many per service?',
    logic: `async (call) => { const r = await call('search_logs', { level: 'error' }); const by = {};
      for (const e of r.entries) by[e.service] = (by[e.service] ?? 0) + 1;
      return { top: Object.entries(by).sort((a, b) => b[1] - a[1])[0][0], counts: by }; }`,
    truth: (d) => {
      const counts = countBy(
        d.logs.filter((e) => e.level === 'error'),
        (e) => e.service,
      );
      return { top: topOf(counts), counts };
    },
  },
  {
    name: 'declined-payments',
    server: 'data',
    goal: 'What is the total value of the first three orders whose payment was declined?',
    logic: `async (call) => { const r = await call('search_logs', { query: 'payment declined' });
      const ids = [...new Set(r.entries.map((e) => e.orderId).filter(Boolean))].slice(0, 3);
      const orders = await Promise.all(ids.map((orderId) => call('get_order', { orderId })));
      return { ids, usd: Math.round(orders.reduce((s, o) => s + o.totalUsd, 0) * 100) / 100 }; }`,
    truth: (d) => {
      const ids = [
        ...new Set(
          d.logs
            .filter((e) => e.message.includes('payment declined'))
            .map((e) => e.orderId)
            .filter((id): id is string => Boolean(id)),
        ),
      ].slice(0, 3);
      const usd = cents(ids.reduce((s, id) => s + d.orders.find((o) => o.id === id)!.totalUsd, 0));
      return { ids, usd };
    },
  },
  {
    name: 'gold-open-tickets',
    server: 'data',
    goal: 'How many open support tickets do gold customers have?',
    logic: `async (call) => { const r = await call('list_customers', { tier: 'gold' });
      return { customers: r.customers.length, open: r.customers.flatMap((c) => c.supportTickets).filter((t) => t.status === 'open').length }; }`,
    truth: (d) => {
      const gold = d.customers.filter((c) => c.tier === 'gold');
      return {
        customers: gold.length,
        open: gold.flatMap((c) => c.supportTickets).filter((t) => t.status === 'open').length,
      };
    },
  },
  {
    name: 'best-selling-sku',
    server: 'data',
    goal: 'Which product sold the most units in delivered orders?',
    logic: `async (call) => { const r = await call('list_orders', { status: 'delivered' }); const by = {};
      for (const o of r.orders) for (const i of o.items) by[i.sku + ' ' + i.name] = (by[i.sku + ' ' + i.name] ?? 0) + i.quantity;
      const [sku, units] = Object.entries(by).sort((a, b) => b[1] - a[1])[0]; return { sku, units }; }`,
    truth: (d) => {
      const by: Record<string, number> = {};
      for (const o of d.orders.filter((x) => x.status === 'delivered'))
        for (const i of o.items) by[`${i.sku} ${i.name}`] = (by[`${i.sku} ${i.name}`] ?? 0) + i.quantity;
      const [sku, units] = Object.entries(by).sort((a, b) => b[1] - a[1])[0]!;
      return { sku, units };
    },
  },
  {
    name: 'platinum-delivered',
    server: 'data',
    goal: 'How many delivered orders belong to platinum customers?',
    logic: `async (call) => { const [c, o] = await Promise.all([call('list_customers', { tier: 'platinum' }), call('list_orders', { status: 'delivered' })]);
      const ids = new Set(c.customers.map((x) => x.id)); return { platinumCustomers: ids.size, deliveredOrders: o.orders.filter((x) => ids.has(x.customerId)).length }; }`,
    truth: (d) => {
      const ids = new Set(d.customers.filter((c) => c.tier === 'platinum').map((c) => c.id));
      return {
        platinumCustomers: ids.size,
        deliveredOrders: d.orders.filter((o) => o.status === 'delivered' && ids.has(o.customerId)).length,
      };
    },
  },
  {
    name: 'cancelled-vs-refunded',
    server: 'data',
    goal: 'Compare the value of cancelled orders with refunded orders.',
    logic: `async (call) => { const [c, r] = await Promise.all([call('list_orders', { status: 'cancelled' }), call('list_orders', { status: 'refunded' })]);
      const sum = (x) => Math.round(x.orders.reduce((s, o) => s + o.totalUsd, 0) * 100) / 100;
      return { cancelledUsd: sum(c), refundedUsd: sum(r), larger: sum(c) > sum(r) ? 'cancelled' : 'refunded' }; }`,
    truth: (d) => {
      const sum = (status: string) =>
        cents(d.orders.filter((o) => o.status === status).reduce((s, o) => s + o.totalUsd, 0));
      const cancelledUsd = sum('cancelled');
      const refundedUsd = sum('refunded');
      return { cancelledUsd, refundedUsd, larger: cancelledUsd > refundedUsd ? 'cancelled' : 'refunded' };
    },
  },
  {
    name: 'order-status',
    server: 'data',
    small: true,
    goal: 'What is the status of order O-00042?',
    logic: `async (call) => { const o = await call('get_order', { orderId: 'O-00042' }); return { id: o.id, status: o.status }; }`,
    truth: (d) => {
      const o = d.orders.find((x) => x.id === 'O-00042')!;
      return { id: o.id, status: o.status };
    },
  },
  {
    name: 'two-order-total',
    server: 'data',
    small: true,
    goal: 'What do orders O-00007 and O-00120 cost together?',
    logic: `async (call) => { const [a, b] = await Promise.all([call('get_order', { orderId: 'O-00007' }), call('get_order', { orderId: 'O-00120' })]);
      return { usd: Math.round((a.totalUsd + b.totalUsd) * 100) / 100 }; }`,
    truth: (d) => ({
      usd: cents(
        d.orders.find((x) => x.id === 'O-00007')!.totalUsd +
          d.orders.find((x) => x.id === 'O-00120')!.totalUsd,
      ),
    }),
  },
  {
    name: 'files-store-sales',
    server: 'files',
    goal: 'Across the daily sales CSV files, which store sold the most (USD), and what are the total units?',
    logic: `async (call) => { const listing = await call('list_directory', { path: DIRECTORY });
      const text = typeof listing === 'string' ? listing : listing.content;
      const names = text.split('\\n').filter((line) => line.startsWith('[FILE]')).map((line) => line.slice(7).trim()).sort();
      const files = await Promise.all(names.map((name) => call('read_text_file', { path: DIRECTORY + '/' + name })));
      const by = {}; let units = 0;
      for (const file of files) for (const line of file.content.trim().split('\\n').slice(1)) {
        const [, store, u, usd] = line.split(','); by[store] = (by[store] ?? 0) + Number(usd); units += Number(u); }
      const [store, usd] = Object.entries(by).sort((a, b) => b[1] - a[1])[0];
      return { files: names.length, store, usd: Math.round(usd * 100) / 100, units }; }`,
    truth: (_d, f) => {
      const by: Record<string, number> = {};
      let units = 0;
      for (const rows of Object.values(f.rows))
        for (const row of rows) {
          by[row.store] = (by[row.store] ?? 0) + row.usd;
          units += row.units;
        }
      const [store, usd] = Object.entries(by).sort((a, b) => b[1] - a[1])[0]!;
      return { files: Object.keys(f.rows).length, store, usd: cents(usd), units };
    },
  },
];

/** The quick mode's tasks (CI): two data-heavy, one small, the filesystem one. */
export const QUICK_TASKS = ['refunded-revenue', 'platinum-delivered', 'order-status', 'files-store-sales'];
