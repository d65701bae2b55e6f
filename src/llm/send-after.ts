// A model whose requests wait for a condition before they leave: a paid call goes out only once it holds.
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';

/**
 * `model` with `doGenerate` and `doStream` awaiting `ready` first (and failing with its failure). The AI SDK
 * prepares the request (prompt checks, tool schemas) before it calls them, so that work overlaps the wait.
 * A plain object, not the model itself: the registry's settings stay keyed by the original (model-settings.ts).
 */
export function sendAfter(model: LanguageModelV3, ready: Promise<void>): LanguageModelV3 {
  return {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    get supportedUrls() {
      return model.supportedUrls;
    },
    async doGenerate(options: LanguageModelV3CallOptions) {
      await ready;
      return model.doGenerate(options);
    },
    async doStream(options: LanguageModelV3CallOptions) {
      await ready;
      return model.doStream(options);
    },
  };
}
