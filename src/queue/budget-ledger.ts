// A run's token and cost budgets shared by every worker: an atomic reservation in Redis before each model call, so
// parallel steps on many workers never overspend by more than one call in flight.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TokenUsage } from '../contracts/index.js';
import { RomaError } from '../contracts/index.js';

/**
 * Admits a call when the budget left covers it and every call already reserved, each reserved at the largest
 * call this run segment has made; the first call (no estimate yet), and a call once nothing else is in flight,
 * go alone while anything is left. A spent budget refuses. Leases of calls whose worker died expire.
 * KEYS: ledger hash, leases (sorted by expiry), lease amounts. ARGV: limitTokens, limitCost (-1: none),
 * baseTokens, baseCost, nowMs, leaseExpiresAtMs, leaseId, ttlSeconds. Returns 1 admitted, 0 wait, -1 tokens
 * spent, -2 cost spent.
 */
const RESERVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'spentTokens', ARGV[3], 'spentCost', ARGV[4], 'reservedTokens', 0,
    'reservedCost', 0, 'estimateTokens', 0, 'estimateCost', 0)
end
for _, key in ipairs(KEYS) do redis.call('EXPIRE', key, ARGV[8]) end
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
for _, id in ipairs(expired) do
  local amount = redis.call('HGET', KEYS[3], id)
  if amount then
    local tokens, cost = string.match(amount, '([^ ]+) ([^ ]+)')
    redis.call('HINCRBYFLOAT', KEYS[1], 'reservedTokens', -tonumber(tokens))
    redis.call('HINCRBYFLOAT', KEYS[1], 'reservedCost', -tonumber(cost))
    redis.call('HDEL', KEYS[3], id)
  end
  redis.call('ZREM', KEYS[2], id)
end
local function field(name) return tonumber(redis.call('HGET', KEYS[1], name)) or 0 end
local spentTokens, spentCost = field('spentTokens'), field('spentCost')
local reservedTokens, reservedCost = field('reservedTokens'), field('reservedCost')
local estimateTokens, estimateCost = field('estimateTokens'), field('estimateCost')
local limitTokens, limitCost = tonumber(ARGV[1]), tonumber(ARGV[2])
if limitTokens >= 0 and spentTokens >= limitTokens then return -1 end
if limitCost >= 0 and spentCost >= limitCost then return -2 end
local admit = redis.call('ZCARD', KEYS[2]) == 0
if not admit and (estimateTokens > 0 or estimateCost > 0) then
  admit = (limitTokens < 0 or spentTokens + reservedTokens + estimateTokens <= limitTokens)
    and (limitCost < 0 or spentCost + reservedCost + estimateCost <= limitCost)
end
if not admit then return 0 end
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[7])
redis.call('HSET', KEYS[3], ARGV[7], tostring(estimateTokens) .. ' ' .. tostring(estimateCost))
redis.call('HINCRBYFLOAT', KEYS[1], 'reservedTokens', estimateTokens)
redis.call('HINCRBYFLOAT', KEYS[1], 'reservedCost', estimateCost)
return 1
`;

/** Books a call's real usage and frees its reservation. ARGV: leaseId, usedTokens, usedCost. */
const SETTLE = `
local amount = redis.call('HGET', KEYS[3], ARGV[1])
if amount then
  local tokens, cost = string.match(amount, '([^ ]+) ([^ ]+)')
  redis.call('HINCRBYFLOAT', KEYS[1], 'reservedTokens', -tonumber(tokens))
  redis.call('HINCRBYFLOAT', KEYS[1], 'reservedCost', -tonumber(cost))
  redis.call('HDEL', KEYS[3], ARGV[1])
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBYFLOAT', KEYS[1], 'spentTokens', ARGV[2])
redis.call('HINCRBYFLOAT', KEYS[1], 'spentCost', ARGV[3])
if tonumber(ARGV[2]) > (tonumber(redis.call('HGET', KEYS[1], 'estimateTokens')) or 0) then
  redis.call('HSET', KEYS[1], 'estimateTokens', ARGV[2])
end
if tonumber(ARGV[3]) > (tonumber(redis.call('HGET', KEYS[1], 'estimateCost')) or 0) then
  redis.call('HSET', KEYS[1], 'estimateCost', ARGV[3])
end
return 1
`;

const POLL_MS = 25;
const LEDGER_TTL_SECONDS = 86_400;

export interface BudgetLimits {
  maxTokens?: number | undefined;
  maxCostUsd?: number | undefined;
}

export interface BudgetLedgerOptions {
  connection: Redis;
  prefix: string;
  /** A reservation whose worker never settles it (died mid-call) is dropped after this long. */
  leaseMs: number;
}

export interface BudgetReservationRequest {
  executionId: string;
  /** The run segment (its execution-start or -resume seq): each segment has its own ledger. */
  segment: number;
  limits: BudgetLimits;
  /** What the run had spent before this segment, read once when the segment's ledger is created. */
  spentBefore: () => Promise<TokenUsage>;
  signal: AbortSignal;
}

export interface BudgetLedger {
  /** Waits (bounded by the lease) for room in the budget; throws BUDGET_EXCEEDED once it is spent. */
  reserve(request: BudgetReservationRequest): Promise<(usage: TokenUsage) => Promise<void>>;
}

const tokensOf = (usage: TokenUsage) => usage.inputTokens + usage.outputTokens;

export function createBudgetLedger(options: BudgetLedgerOptions): BudgetLedger {
  const { connection } = options;
  return {
    reserve: async (request) => {
      const base = `${options.prefix}:roma-budget:${request.executionId}:${request.segment}`;
      const keys = [base, `${base}:leases`, `${base}:amounts`];
      const leaseId = randomUUID();
      const before = (await connection.exists(base)) ? null : await request.spentBefore();
      const deadline = Date.now() + options.leaseMs;
      for (;;) {
        if (request.signal.aborted) throw request.signal.reason;
        const now = Date.now();
        const answer = Number(
          await connection.eval(
            RESERVE,
            keys.length,
            ...keys,
            request.limits.maxTokens ?? -1,
            request.limits.maxCostUsd ?? -1,
            before ? tokensOf(before) : 0,
            before?.costUsd ?? 0,
            now,
            now + options.leaseMs,
            leaseId,
            LEDGER_TTL_SECONDS,
          ),
        );
        if (answer === 1) break;
        if (answer < 0) {
          const reason = answer === -1 ? 'max-tokens' : 'max-cost';
          throw new RomaError(
            'BUDGET_EXCEEDED',
            `run stopped: its ${answer === -1 ? 'token' : 'cost'} budget is spent over all workers (engine.budgets)`,
            { details: { reason, limits: request.limits } },
          );
        }
        if (Date.now() > deadline) {
          throw new RomaError(
            'TIMEOUT',
            `run ${request.executionId}: no room in its budget within ${options.leaseMs} ms`,
            {
              retryable: true,
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      return async (usage) => {
        await connection.eval(SETTLE, keys.length, ...keys, leaseId, tokensOf(usage), usage.costUsd);
      };
    },
  };
}
