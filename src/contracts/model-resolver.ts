// ModelResolver: what the engine and the PTC agent need of a model registry — a model by id, and the default id.
import type { LanguageModelV3 } from '@ai-sdk/provider';

export interface ModelResolver {
  /** The model for `modelId` (the default model when absent); MODEL_NOT_CONFIGURED when none is set up. */
  resolve(modelId?: string): LanguageModelV3;
  readonly defaultModelId: string | undefined;
}
