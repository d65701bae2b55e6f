// A client's per-run options can only tighten what the server's operator configured.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { runSettingsFor } from './run-options.js';

describe('runSettingsFor', () => {
  const base = defaultConfig();
  base.engine.maxDepth = 2;
  base.engine.budgets = { ...base.engine.budgets, maxCostUsd: 1, maxTokens: 50_000 };

  it('tightens budgets and depth below the config', () => {
    const settings = runSettingsFor(base, {
      goal: 'g',
      maxDepth: 1,
      budgetUsd: 0.25,
      maxTokens: 1_000,
      maxWallTimeMs: 5_000,
    });
    expect(settings.config.engine.maxDepth).toBe(1);
    expect(settings.config.engine.budgets).toMatchObject({
      maxCostUsd: 0.25,
      maxTokens: 1_000,
      maxWallTimeMs: 5_000,
    });
  });

  it('never lifts the configured limits', () => {
    const settings = runSettingsFor(base, { goal: 'g', maxDepth: 9, budgetUsd: 500, maxTokens: 10_000_000 });
    expect(settings.config.engine.maxDepth).toBe(2);
    expect(settings.config.engine.budgets).toMatchObject({ maxCostUsd: 1, maxTokens: 50_000 });
    expect(base.engine.budgets.maxCostUsd).toBe(1);
  });
});
