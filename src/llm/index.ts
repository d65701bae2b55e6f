// Model layer: `<provider>:<model>` ids resolved over the AI SDK, calls with timeout/abort/retry, usage and cost.

export { callObject, callText, streamTextCall } from './call.js';
export { isRetryableStatus } from './call-errors.js';
export type { ModelCallFigures } from './call-figures.js';
export { modelCallFigures } from './call-figures.js';
export type { ModelProvider, ParsedModelId } from './model-id.js';
export { MODEL_PROVIDERS, parseModelId } from './model-id.js';
export type { ModelSettings } from './model-settings.js';
export { modelSettingsOf } from './model-settings.js';
export type { CostEstimate, ModelPrice, PriceTable, TokenCounts } from './prices.js';
export { costOf, DEFAULT_PRICES, estimateCost, priceFor } from './prices.js';
export type { ModelRegistry, ModelRegistryOptions } from './registry.js';
export { createModelRegistry } from './registry.js';
export type {
  ModelCallRequest,
  ModelCallResult,
  ModelTextStream,
  ModelToolCall,
  ObjectCallRequest,
} from './types.js';
export { toTokenUsage } from './usage.js';
