// Per-run options over the process's engine settings: the API overrides, the MCP server only tightens.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/index.js';
import { isRomaError } from '../../contracts/index.js';
import { runEngineConfig } from './run-settings.js';

const config = defaultConfig();
config.engine.maxDepth = 2;
config.engine.budgets = { ...config.engine.budgets, maxCostUsd: 1, maxTokens: 50_000 };
const base = { engine: config.engine, ptc: config.ptc, sandbox: config.sandbox, cache: config.cache };

describe('runEngineConfig', () => {
  it('tighten: lowers depth and budgets below the config', () => {
    const settings = runEngineConfig(
      base,
      { maxDepth: 1, budgetUsd: 0.25, maxTokens: 1_000, maxWallTimeMs: 5_000 },
      { limits: 'tighten' },
    );
    expect(settings.engine.maxDepth).toBe(1);
    expect(settings.engine.budgets).toMatchObject({
      maxCostUsd: 0.25,
      maxTokens: 1_000,
      maxWallTimeMs: 5_000,
    });
  });

  it('tighten: never lifts the configured limits, and refuses engine overrides', () => {
    const settings = runEngineConfig(
      base,
      { maxDepth: 9, budgetUsd: 500, maxTokens: 10_000_000 },
      { limits: 'tighten' },
    );
    expect(settings.engine.maxDepth).toBe(2);
    expect(settings.engine.budgets).toMatchObject({ maxCostUsd: 1, maxTokens: 50_000 });
    expect(base.engine.budgets.maxCostUsd).toBe(1);
    expect(() =>
      runEngineConfig(base, { config: { 'engine.maxReplans': 3 } }, { limits: 'tighten' }),
    ).toThrow(/only engine/);
  });

  it('override (default): the request replaces limits and may set engine.* keys, checked by the schema', () => {
    const settings = runEngineConfig(base, { maxDepth: 4, budgetUsd: 5, config: { 'engine.maxReplans': 2 } });
    expect(settings.engine.maxDepth).toBe(4);
    expect(settings.engine.budgets.maxCostUsd).toBe(5);
    expect(settings.engine.maxReplans).toBe(2);
    try {
      runEngineConfig(base, { config: { 'engine.maxReplans': 99 } });
      expect.unreachable();
    } catch (error) {
      expect(isRomaError(error) && error.field).toBe('body.config.engine.maxReplans');
    }
    expect(() => runEngineConfig(base, { config: { 'llm.model': 'x' } })).toThrow(/only engine/);
  });
});
