// Which model, temperature, system prompt and cache strategy a module uses for one task: config overrides first.
import type { EngineConfig, ModuleOverride } from '../../config/sections/engine.js';
import type { CacheStrategy, EngineStepModule, TaskType } from '../../contracts/index.js';

export type EngineModuleName = EngineStepModule;

export interface ModuleSettings {
  /** Undefined: the run's model. */
  modelId: string | undefined;
  temperature: number;
  system: string;
  cacheStrategy: CacheStrategy | undefined;
}

/**
 * Precedence, most specific first: `engine.taskTypes.<type>` (executor only — it is what a task type picks),
 * `engine.modules.<module>`, then the engine defaults (`engine.temperature`, the module's own prompt).
 */
export function resolveModuleSettings(
  config: Pick<EngineConfig, 'modules' | 'taskTypes' | 'temperature'>,
  module: EngineModuleName,
  taskType: TaskType,
  defaultSystem: string,
): ModuleSettings {
  const moduleOverride: ModuleOverride = config.modules[module] ?? {};
  const typeOverride: ModuleOverride = module === 'executor' ? (config.taskTypes[taskType] ?? {}) : {};
  return {
    modelId: typeOverride.model ?? moduleOverride.model,
    temperature: typeOverride.temperature ?? moduleOverride.temperature ?? config.temperature,
    system: typeOverride.prompt ?? moduleOverride.prompt ?? defaultSystem,
    cacheStrategy: typeOverride.cacheStrategy ?? moduleOverride.cacheStrategy,
  };
}
