// Config of the model layer: which model, provider keys and endpoints, prices, retries.
import { z } from 'zod';

/** Bound on one model call, retries included: the one default, for config and for models built by hand. */
export const DEFAULT_MODEL_TIMEOUT_MS = 120_000;
/** Retries of a model call on 408/409/429/5xx and dropped connections: the one default. */
export const DEFAULT_MODEL_MAX_RETRIES = 3;

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
    timeoutMs: z.number().int().positive().default(DEFAULT_MODEL_TIMEOUT_MS),
    maxRetries: z.number().int().min(0).max(10).default(DEFAULT_MODEL_MAX_RETRIES),
    /** Per-model price overrides, keyed by model id as in `model`. */
    prices: z.record(z.string(), ModelPriceSchema).default({}),
  })
  .strict();
export type LlmConfig = z.output<typeof LlmConfigSchema>;
