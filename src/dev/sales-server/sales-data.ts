// Deterministic sample data (orders, customers, logs) served by the bundled sales MCP server.

interface OrderItem {
  sku: string;
  name: string;
  quantity: number;
  unitPriceUsd: number;
}

export interface Order {
  id: string;
  customerId: string;
  status: 'pending' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';
  region: 'north' | 'south' | 'east' | 'west';
  createdAt: string;
  items: OrderItem[];
  totalUsd: number;
  shippingAddress: string;
  notes: string;
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  tier: 'bronze' | 'silver' | 'gold' | 'platinum';
  region: Order['region'];
  signupDate: string;
  lifetimeValueUsd: number;
  orderIds: string[];
  preferences: Record<string, string | boolean>;
  supportTickets: Array<{ id: string; subject: string; status: 'open' | 'closed'; body: string }>;
}

export interface LogEntry {
  timestamp: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  service: 'checkout' | 'inventory' | 'payments' | 'shipping' | 'auth';
  message: string;
  orderId: string | null;
  latencyMs: number;
  traceId: string;
}

export interface SalesData {
  orders: Order[];
  customers: Customer[];
  logs: LogEntry[];
}

const PRODUCTS = [
  ['SKU-100', 'Espresso beans 1kg', 24.5],
  ['SKU-101', 'Pour-over kettle', 59],
  ['SKU-102', 'Ceramic dripper', 21],
  ['SKU-103', 'Paper filters x100', 6.5],
  ['SKU-104', 'Burr grinder', 149],
  ['SKU-105', 'Milk frother', 39.9],
  ['SKU-106', 'Travel mug', 18],
  ['SKU-107', 'Cold brew jar', 27.5],
] as const;
const STATUSES: Order['status'][] = [
  'pending',
  'shipped',
  'delivered',
  'delivered',
  'delivered',
  'cancelled',
  'refunded',
];
const REGIONS: Order['region'][] = ['north', 'south', 'east', 'west'];
const TIERS: Customer['tier'][] = ['bronze', 'bronze', 'silver', 'silver', 'gold', 'platinum'];
const SERVICES: LogEntry['service'][] = ['checkout', 'inventory', 'payments', 'shipping', 'auth'];
const LEVELS: LogEntry['level'][] = ['debug', 'info', 'info', 'info', 'warn', 'error'];
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
  'Berners',
];
const MESSAGES: Record<LogEntry['level'], string[]> = {
  debug: ['cache lookup', 'retrying request', 'feature flag evaluated'],
  info: ['order accepted', 'payment authorized', 'label printed', 'stock reserved', 'user logged in'],
  warn: ['slow upstream response', 'stock running low', 'payment retry scheduled'],
  error: [
    'payment declined: insufficient funds',
    'carrier API timeout',
    'inventory mismatch',
    'token expired',
  ],
};

/** mulberry32: a tiny seeded generator, so every run (and both benchmark modes) sees the same data. */
function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

function isoDate(random: () => number, startMs: number, spanDays: number): string {
  return new Date(startMs + Math.floor(random() * spanDays * 86_400_000)).toISOString();
}

export function generateSalesData(
  seed = 42,
  orderCount = 400,
  customerCount = 60,
  logCount = 2000,
): SalesData {
  const random = randomGenerator(seed);
  const start = Date.UTC(2025, 0, 1);
  const customers: Customer[] = [];
  for (let index = 0; index < customerCount; index += 1) {
    const name = `${pick(random, FIRST)} ${pick(random, LAST)}`;
    customers.push({
      id: `C-${String(index + 1).padStart(4, '0')}`,
      name,
      email: `${name.toLowerCase().replace(' ', '.')}${index}@example.com`,
      tier: pick(random, TIERS),
      region: pick(random, REGIONS),
      signupDate: isoDate(random, start - 400 * 86_400_000, 400),
      lifetimeValueUsd: 0,
      orderIds: [],
      preferences: {
        newsletter: random() > 0.5,
        language: pick(random, ['en', 'de', 'fr']),
        grind: 'medium',
      },
      supportTickets: Array.from({ length: 1 + Math.floor(random() * 4) }, (_, ticket) => ({
        id: `T-${index}-${ticket}`,
        subject: pick(random, ['Late delivery', 'Damaged item', 'Billing question', 'Change address']),
        status: random() > 0.3 ? 'closed' : 'open',
        body: 'Customer wrote a long message describing the situation in detail. '.repeat(4).trim(),
      })),
    });
  }
  const orders: Order[] = [];
  for (let index = 0; index < orderCount; index += 1) {
    const customer = customers[Math.floor(random() * customers.length)] as Customer;
    const items: OrderItem[] = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
      const [sku, name, price] = pick(random, PRODUCTS);
      return { sku, name, quantity: 1 + Math.floor(random() * 3), unitPriceUsd: price };
    });
    const totalUsd =
      Math.round(items.reduce((sum, item) => sum + item.quantity * item.unitPriceUsd, 0) * 100) / 100;
    const order: Order = {
      id: `O-${String(index + 1).padStart(5, '0')}`,
      customerId: customer.id,
      status: pick(random, STATUSES),
      region: customer.region,
      createdAt: isoDate(random, start, 300),
      items,
      totalUsd,
      shippingAddress: `${100 + Math.floor(random() * 900)} Main Street, ${customer.region} district`,
      notes: random() > 0.6 ? 'Leave the parcel with the neighbour if nobody answers.' : '',
    };
    orders.push(order);
    customer.orderIds.push(order.id);
    if (order.status !== 'cancelled' && order.status !== 'refunded') {
      customer.lifetimeValueUsd = Math.round((customer.lifetimeValueUsd + totalUsd) * 100) / 100;
    }
  }
  const logs: LogEntry[] = [];
  for (let index = 0; index < logCount; index += 1) {
    const level = pick(random, LEVELS);
    logs.push({
      timestamp: isoDate(random, start, 300),
      level,
      service: pick(random, SERVICES),
      message: pick(random, MESSAGES[level]),
      orderId: random() > 0.4 ? (orders[Math.floor(random() * orders.length)] as Order).id : null,
      latencyMs: Math.floor(random() * 2000),
      traceId: Math.floor(random() * 1e12)
        .toString(16)
        .padStart(10, '0'),
    });
  }
  logs.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return { orders, customers, logs };
}
