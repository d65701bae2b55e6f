// Settings a registry attaches to the models it resolves, so a call knows its config's prices and defaults.
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { PriceTable } from './prices.js';

interface ModelSettings {
  modelId: string;
  prices: PriceTable;
  timeoutMs: number;
  maxRetries: number;
  /** The registry's secret scrubber (its API keys, and the process's list when given): errors pass through it. */
  redact?: (text: string) => string;
}

const settingsByModel = new WeakMap<LanguageModelV3, ModelSettings>();

export function attachModelSettings(model: LanguageModelV3, settings: ModelSettings): void {
  settingsByModel.set(model, settings);
}

/** Undefined for a model that did not come from a registry (tests may build one by hand). */
export function modelSettingsOf(model: LanguageModelV3): ModelSettings | undefined {
  return settingsByModel.get(model);
}
