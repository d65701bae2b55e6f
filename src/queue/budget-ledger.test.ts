// The run budget shared by workers, on real Redis: a cost budget held over two workers' ledgers within one call in
// flight, the spend of earlier segments counted, and a dead worker's reservation dropped when its lease ends.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenUsage } from '../contracts/index.js';
import { emptyUsage, RomaError } from '../contracts/index.js';
import { type BudgetLimits, createBudgetLedger } from './budget-ledger.js';
import { deleteQueueKeys, TEST_REDIS_URL, uniqueQueuePrefix } from './testing/test-redis.js';

const prefix = uniqueQueuePrefix('budget-ledger');
const connections: Redis[] = [];
let runs = 0;

afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await deleteQueueKeys(prefix);
});

/** A worker's ledger, over a Redis connection of its own as a separate process would have. */
function workerLedger(leaseMs = 30_000) {
  const connection = new Redis(TEST_REDIS_URL);
  connections.push(connection);
  return createBudgetLedger({ connection, prefix, leaseMs });
}

const usage = (tokens: number, costUsd: number): TokenUsage => ({
  ...emptyUsage(),
  inputTokens: tokens,
  costUsd,
});

function request(executionId: string, limits: BudgetLimits, spentBefore: TokenUsage = emptyUsage()) {
  return {
    executionId,
    segment: 1,
    limits,
    spentBefore: async () => spentBefore,
    signal: new AbortController().signal,
  };
}

/**
 * `lanes` calls at once on each ledger, each costing `cost`, until the ledger refuses; what was spent, and how
 * each lane ended (a refusal's error code).
 */
async function spendUntilRefused(
  ledgers: ReturnType<typeof createBudgetLedger>[],
  executionId: string,
  limits: BudgetLimits,
  cost: number,
  lanes: number,
  callsPerLane: number,
): Promise<{ spent: number; calls: number; endings: string[] }> {
  let spent = 0;
  let calls = 0;
  const endings: string[] = [];
  const lane = async (ledger: ReturnType<typeof createBudgetLedger>) => {
    for (let call = 0; call < callsPerLane; call += 1) {
      let settle: (used: TokenUsage) => Promise<void>;
      try {
        settle = await ledger.reserve(request(executionId, limits));
      } catch (error) {
        endings.push(error instanceof RomaError ? error.code : String(error));
        return;
      }
      // The model call: the others reserve meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 20));
      spent += cost;
      calls += 1;
      await settle(usage(10, cost));
    }
    endings.push('done');
  };
  await Promise.all(ledgers.flatMap((ledger) => Array.from({ length: lanes }, () => lane(ledger))));
  return { spent, calls, endings };
}

describe('budget ledger over workers', { timeout: 30_000 }, () => {
  it('holds a cost budget over two workers within one call in flight', async () => {
    const ledgers = [workerLedger(), workerLedger()];
    const cost = 0.3;
    // Positive control: a token budget far away leaves the cost unbounded, every call is made.
    const free = await spendUntilRefused(ledgers, `run-free-${runs++}`, { maxTokens: 1_000_000 }, cost, 3, 5);
    expect(free.calls).toBe(30);
    expect(free.endings.every((ending) => ending === 'done')).toBe(true);

    const limit = 1.0;
    const bounded = await spendUntilRefused(ledgers, `run-cost-${runs++}`, { maxCostUsd: limit }, cost, 3, 5);
    expect(bounded.spent).toBeGreaterThanOrEqual(limit);
    expect(bounded.spent).toBeLessThanOrEqual(limit + cost + 1e-9);
    expect(bounded.endings).toHaveLength(6);
    expect(bounded.endings.every((ending) => ending === 'BUDGET_EXCEEDED')).toBe(true);
  });

  it('counts what earlier segments of the run spent', async () => {
    const ledger = workerLedger();
    const limits = { maxTokens: 1_000 };
    // Spent already: refused at once.
    await expect(
      ledger.reserve(request(`run-spent-${runs++}`, limits, usage(1_000, 0))),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', details: { reason: 'max-tokens' } });
    // Some left (positive control): one call goes; once it is booked, the budget is spent.
    const executionId = `run-left-${runs++}`;
    const settle = await ledger.reserve(request(executionId, limits, usage(900, 0)));
    await settle(usage(200, 0));
    await expect(ledger.reserve(request(executionId, limits))).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
    });
  });

  it("drops the reservation of a worker that died mid-call once its lease ends, so the run's others go on", async () => {
    // The survivor waits for room far longer than the dead worker's lease lasts.
    const dead = workerLedger(500);
    const alive = workerLedger(10_000);
    const executionId = `run-lease-${runs++}`;
    const limits = { maxTokens: 1_000 };
    // The dying worker's first call is reserved and never booked.
    await dead.reserve(request(executionId, limits));
    // With no estimate yet, a second call waits for the first: it goes only once that lease is dropped.
    const settle = await alive.reserve(request(executionId, limits));
    await settle(usage(100, 0));
    // Positive control: a reservation whose lease lasts does hold the next call back (past its wait: TIMEOUT).
    const holding = workerLedger(60_000);
    const impatient = workerLedger(300);
    const heldRun = `run-held-${runs++}`;
    await holding.reserve(request(heldRun, limits));
    await expect(impatient.reserve(request(heldRun, limits))).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
