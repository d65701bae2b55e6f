// Which model, temperature and prompt a module uses: task-type override, then module override, then defaults.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/index.js';
import { resolveModuleSettings } from './module-settings.js';

describe('resolveModuleSettings', () => {
  it('applies overrides most specific first', () => {
    const engine = defaultConfig().engine;
    engine.temperature = 0.1;
    engine.modules = {
      executor: { model: 'openai:small', temperature: 0.5 },
      planner: { prompt: 'PLAN IT' },
    };
    engine.taskTypes = { WRITE: { model: 'anthropic:writer' } };
    expect(resolveModuleSettings(engine, 'executor', 'WRITE', 'default')).toMatchObject({
      modelId: 'anthropic:writer',
      temperature: 0.5,
      system: 'default',
    });
    expect(resolveModuleSettings(engine, 'executor', 'THINK', 'default').modelId).toBe('openai:small');
    expect(resolveModuleSettings(engine, 'planner', 'WRITE', 'default')).toMatchObject({
      modelId: undefined,
      temperature: 0.1,
      system: 'PLAN IT',
    });
  });
});
