// One run's engine settings: the process's, with a front end's per-run options (depth, concurrency, budgets,
// `engine.*` overrides) over them — the one place the API, the MCP server and the queue turn a request into them.
import { EngineConfigSchema } from '../../config/sections/engine.js';
import { parseWith, RomaError } from '../../contracts/index.js';
import type { EngineRunConfig } from '../engine-config.js';

interface RunOptions {
  maxDepth?: number | undefined;
  maxConcurrency?: number | undefined;
  budgetUsd?: number | undefined;
  maxTokens?: number | undefined;
  maxWallTimeMs?: number | undefined;
  /** `engine.*` settings by dotted key (`engine.maxReplans`: 1); other sections are refused. */
  config?: Record<string, string | number | boolean> | undefined;
}

interface RunSettingsPolicy {
  /**
   * `override` (the API's, for holders of a key): the request's limits replace the server's. `tighten` (the MCP
   * server's): a request can only lower depth and budgets below what the operator configured.
   */
  limits?: 'override' | 'tighten';
  /** Where the options came from, for error fields (`body`, `arguments`). */
  field?: string;
}

const FORBIDDEN_SEGMENTS = new Set(['', '__proto__', 'constructor', 'prototype']);

function setDotted(target: Record<string, unknown>, path: string[], value: unknown): void {
  let cursor = target;
  for (const segment of path.slice(0, -1)) {
    const next = cursor[segment];
    cursor[segment] =
      typeof next === 'object' && next !== null ? { ...(next as Record<string, unknown>) } : {};
    cursor = cursor[segment] as Record<string, unknown>;
  }
  cursor[path.at(-1)!] = value;
}

export function runEngineConfig(
  base: EngineRunConfig,
  request: RunOptions,
  policy: RunSettingsPolicy = {},
): EngineRunConfig {
  const field = policy.field ?? 'body';
  const tighten = policy.limits === 'tighten';
  const engine = structuredClone(base.engine) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(request.config ?? {})) {
    const path = key.split('.');
    if (
      path[0] !== 'engine' ||
      path.length < 2 ||
      tighten ||
      path.some((segment) => FORBIDDEN_SEGMENTS.has(segment))
    ) {
      throw new RomaError(
        'VALIDATION_FAILED',
        `${field}.config.${key}: only engine.* settings can be set per run`,
        {
          field: `${field}.config.${key}`,
          fix: 'other settings are the server’s (its config file and environment)',
        },
      );
    }
    setDotted(engine, path.slice(1), value);
  }
  const limit = (current: unknown, asked: number | undefined): unknown => {
    if (asked === undefined) return current;
    if (!tighten || typeof current !== 'number') return asked;
    return Math.min(current, asked);
  };
  engine.maxDepth = limit(engine.maxDepth, request.maxDepth);
  engine.maxConcurrency = limit(engine.maxConcurrency, request.maxConcurrency);
  const budgets = { ...(engine.budgets as Record<string, unknown>) };
  budgets.maxCostUsd = limit(budgets.maxCostUsd, request.budgetUsd);
  budgets.maxTokens = limit(budgets.maxTokens, request.maxTokens);
  budgets.maxWallTimeMs = limit(budgets.maxWallTimeMs, request.maxWallTimeMs);
  for (const key of ['maxCostUsd', 'maxTokens', 'maxWallTimeMs'])
    if (budgets[key] === undefined) delete budgets[key];
  engine.budgets = budgets;
  const parsed = parseWith(EngineConfigSchema, engine, 'engine');
  if (!parsed.ok) {
    const path = parsed.issues[0]?.path;
    throw new RomaError('VALIDATION_FAILED', `${field}.config: ${parsed.message}`, {
      field: `${field}.config.engine${path ? `.${path}` : ''}`,
      fix: 'see `roma config show` for the engine settings and their ranges',
    });
  }
  return { ...base, engine: parsed.value };
}
