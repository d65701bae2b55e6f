// Config of the model layer: which model, provider keys and endpoints, prices, retries.
import { z } from 'zod';

export const ModelPriceSchema = z
  .object({
    inputPerMillionUsd: z.number().nonnegative(),
    outputPerMillionUsd: z.number().nonnegative(),
    cachedInputPerMillionUsd: z.number().nonnegative().optional(),
  })
  .strict();

export const LlmConfigSchema = z
  .object({
    /** `anthropic:<model>`, `openai:<model>` or `openai-compatible:<model>`; none by default. */
    model: z.string().min(1).optional(),
    anthropicApiKey: z.string().min(1).optional(),
    anthropicBaseUrl: z.url().optional(),
    openaiApiKey: z.string().min(1).optional(),
    /** Any OpenAI-compatible server: OpenRouter, Ollama, vLLM, LM Studio, the scripted model server. */
    openaiBaseUrl: z.url().optional(),
    timeoutMs: z.number().int().positive().default(120_000),
    maxRetries: z.number().int().min(0).max(10).default(3),
    /** Per-model price overrides, keyed by model id as in `model`. */
    prices: z.record(z.string(), ModelPriceSchema).default({}),
  })
  .strict();
export type LlmConfig = z.output<typeof LlmConfigSchema>;
