// Model layer: `<provider>:<model>` ids resolved over the AI SDK, calls with timeout/abort/retry, usage and cost.

export { callObject, callText, streamTextCall } from './call.js';
export { modelCallFigures } from './call-figures.js';
export { parseModelId } from './model-id.js';
export type { PriceTable } from './prices.js';
export { costOf, DEFAULT_PRICES, estimateCost, priceFor } from './prices.js';
export type { ModelRegistry } from './registry.js';
export { createModelRegistry } from './registry.js';
export type {
  ModelCallResult,
  ModelToolCall,
} from './types.js';
