// Model ids and configuration errors: a missing model or key says exactly what to set.
import { describe, expect, it } from 'vitest';
import { LlmConfigSchema } from '../config/sections/llm.js';
import { RomaError } from '../contracts/index.js';
import { createModelRegistry, parseModelId } from './index.js';

function registry(values: Record<string, unknown>) {
  return createModelRegistry(LlmConfigSchema.parse(values));
}

function thrown(action: () => unknown): RomaError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(RomaError);
    return error as RomaError;
  }
  throw new Error('expected an error');
}

describe('parseModelId', () => {
  it('splits provider and model name, keeping colons and slashes in the name', () => {
    expect(parseModelId('anthropic:claude-sonnet-4-5')).toEqual({
      provider: 'anthropic',
      modelName: 'claude-sonnet-4-5',
    });
    expect(parseModelId('openai:meta-llama/llama-3.1-8b:free')).toEqual({
      provider: 'openai',
      modelName: 'meta-llama/llama-3.1-8b:free',
    });
  });

  it.each(['gpt-4o', 'mistral:large', 'openai:', ':x'])(
    'refuses %s as CONFIG_INVALID on llm.model',
    (modelId) => {
      const error = thrown(() => parseModelId(modelId));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.field).toBe('llm.model');
      expect(error.message).toContain(modelId);
    },
  );
});

describe('createModelRegistry', () => {
  it('says which env var or config key to set when no model is configured', () => {
    const error = thrown(() => registry({}).resolve());
    expect(error.code).toBe('MODEL_NOT_CONFIGURED');
    expect(error.field).toBe('llm.model');
    for (const hint of [
      'llm.model',
      'ROMA_MODEL',
      '--model',
      'ANTHROPIC_API_KEY',
      'OPENAI_API_KEY',
      'OPENAI_BASE_URL',
    ]) {
      expect(error.message).toContain(hint);
    }
  });

  it('asks for ANTHROPIC_API_KEY when an anthropic model has no key', () => {
    const error = thrown(() => registry({ model: 'anthropic:claude-sonnet-4-5' }).resolve());
    expect(error.code).toBe('MODEL_NOT_CONFIGURED');
    expect(error.field).toBe('llm.anthropicApiKey');
    expect(error.message).toContain('ANTHROPIC_API_KEY');
  });

  it('asks for OPENAI_API_KEY (and mentions OPENAI_BASE_URL) when an openai model has no key', () => {
    const error = thrown(() => registry({ model: 'openai:gpt-4o' }).resolve());
    expect(error.code).toBe('MODEL_NOT_CONFIGURED');
    expect(error.field).toBe('llm.openaiApiKey');
    expect(error.toLine()).toContain('OPENAI_API_KEY');
    expect(error.toLine()).toContain('OPENAI_BASE_URL');
  });

  it('asks for OPENAI_BASE_URL for an openai-compatible model', () => {
    const error = thrown(() => registry({ model: 'openai-compatible:llama3' }).resolve());
    expect(error.field).toBe('llm.openaiBaseUrl');
    expect(error.message).toContain('OPENAI_BASE_URL');
  });

  it('accepts a keyless local OpenAI-compatible server (Ollama, vLLM)', () => {
    const models = registry({ model: 'openai:llama3', openaiBaseUrl: 'http://127.0.0.1:11434/v1' });
    expect(models.resolve().modelId).toBe('llama3');
    expect(models.resolve('openai-compatible:qwen').modelId).toBe('qwen');
  });

  it('refuses an unknown provider prefix as CONFIG_INVALID on llm.model', () => {
    const error = thrown(() => registry({ model: 'gemini:pro', openaiApiKey: 'k' }).resolve());
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('llm.model');
  });

  it('returns the same model object for the same id and uses chat completions for openai', () => {
    const models = registry({ model: 'openai:gpt-4o-mini', openaiApiKey: 'k', anthropicApiKey: 'k' });
    expect(models.defaultModelId).toBe('openai:gpt-4o-mini');
    expect(models.resolve()).toBe(models.resolve('openai:gpt-4o-mini'));
    expect(models.resolve().provider).toBe('openai.chat');
    expect(models.resolve('anthropic:claude-haiku-4-5').provider).toBe('anthropic.messages');
  });

  it('never puts a key into an error message', () => {
    const error = thrown(() => registry({ model: 'mistral:x', anthropicApiKey: 'sk-secret-123' }).resolve());
    expect(JSON.stringify(error.toJSON())).not.toContain('sk-secret-123');
  });

  it('prices known models, config overrides first', () => {
    const models = registry({
      prices: { 'openai:gpt-4o': { inputPerMillionUsd: 1, outputPerMillionUsd: 2 } },
    });
    expect(models.priceFor('openai:gpt-4o')).toEqual({ inputPerMillionUsd: 1, outputPerMillionUsd: 2 });
    expect(models.priceFor('anthropic:claude-sonnet-4-5')?.inputPerMillionUsd).toBe(3);
    expect(models.priceFor('openai:unknown-model')).toBeUndefined();
  });
});
