// The bundled data-heavy stdio MCP server (demo, tests, ptc-tokens benchmark): tools answer with tens of KB of JSON.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { generateSalesData } from './sales-data.js';

const data = generateSalesData();
const server = new McpServer({ name: 'roma-sales', version: '1.0.0' });

function json(value: unknown) {
  return { content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }] };
}

const statuses = ['pending', 'shipped', 'delivered', 'cancelled', 'refunded'] as const;
const regions = ['north', 'south', 'east', 'west'] as const;

server.registerTool(
  'list_orders',
  {
    description: 'Lists orders with all their fields (items, totals, addresses), optionally filtered.',
    inputSchema: {
      status: z.enum(statuses).optional().describe('only orders with this status'),
      region: z.enum(regions).optional().describe('only orders shipped to this region'),
      limit: z.number().int().min(1).max(1000).optional().describe('at most this many orders (default all)'),
    },
  },
  async ({ status, region, limit }) => {
    const orders = data.orders.filter(
      (order) => (!status || order.status === status) && (!region || order.region === region),
    );
    return json({ orders: orders.slice(0, limit ?? orders.length), total: orders.length });
  },
);

server.registerTool(
  'get_order',
  {
    description: 'Returns one order by id.',
    inputSchema: { orderId: z.string().describe('order id such as O-00001') },
  },
  async ({ orderId }) => {
    const order = data.orders.find((candidate) => candidate.id === orderId);
    if (!order) throw new Error(`order ${orderId} not found`);
    return json(order);
  },
);

server.registerTool(
  'list_customers',
  {
    description: 'Lists customers with their profile, order ids, preferences and support tickets.',
    inputSchema: { tier: z.enum(['bronze', 'silver', 'gold', 'platinum']).optional() },
  },
  async ({ tier }) =>
    json({ customers: data.customers.filter((customer) => !tier || customer.tier === tier) }),
);

server.registerTool(
  'get_customer',
  {
    description: 'Returns one customer by id, with the full records of all of their orders.',
    inputSchema: { customerId: z.string().describe('customer id such as C-0001') },
  },
  async ({ customerId }) => {
    const customer = data.customers.find((candidate) => candidate.id === customerId);
    if (!customer) throw new Error(`customer ${customerId} not found`);
    const orders = data.orders.filter((order) => order.customerId === customerId);
    return json({ ...customer, orders });
  },
);

server.registerTool(
  'search_logs',
  {
    description: 'Searches service logs; returns every matching entry.',
    inputSchema: {
      query: z.string().optional().describe('substring of the message'),
      level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
      service: z.enum(['checkout', 'inventory', 'payments', 'shipping', 'auth']).optional(),
    },
  },
  async ({ query, level, service }) => {
    const entries = data.logs.filter(
      (entry) =>
        (!query || entry.message.includes(query)) &&
        (!level || entry.level === level) &&
        (!service || entry.service === service),
    );
    return json({ entries, total: entries.length });
  },
);

await server.connect(new StdioServerTransport());
