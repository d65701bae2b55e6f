// Secrets are recognised by key and inside URLs; redaction and the scrubber never let a value through.
import { describe, expect, it } from 'vitest';
import {
  createSecretScrubber,
  isSecretPath,
  loadConfig,
  redactConfig,
  redactUrl,
  secretValuesOf,
} from './index.js';

describe('isSecretPath', () => {
  it('knows API keys, S3 credentials and MCP headers/env', () => {
    for (const path of [
      'llm.anthropicApiKey',
      'llm.openaiApiKey',
      'sandbox.daytonaApiKey',
      'store.s3SecretAccessKey',
      'store.s3AccessKeyId',
      'ptc.mcpServers.github.headers.Authorization',
      'ptc.mcpServers.github.env.GITHUB_TOKEN',
    ]) {
      expect(isSecretPath(path), path).toBe(true);
    }
    for (const path of ['llm.model', 'engine.budgets.maxTokens', 'ptc.tokenBudget', 'cache.keyPrefix']) {
      expect(isSecretPath(path), path).toBe(false);
    }
  });
});

describe('redactUrl', () => {
  it('hides passwords of redis and postgres URLs and credential query parameters', () => {
    expect(redactUrl('redis://:pw-secret@127.0.0.1:6379/0')).toBe('redis://:***@127.0.0.1:6379/0');
    expect(redactUrl('postgres://user:pa%40ss@db:5432/roma')).toBe('postgres://user:***@db:5432/roma');
    expect(redactUrl('https://x.io/mcp?api_key=abc123&x=1')).toBe('https://x.io/mcp?api_key=***&x=1');
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/test')).toBe(
      'postgres://postgres@127.0.0.1:5432/test',
    );
    expect(redactUrl('not a url')).toBe('not a url');
  });
});

describe('redactConfig and secretValuesOf', () => {
  const config = loadConfig({
    cwd: '/nonexistent-roma-dir',
    env: {
      ANTHROPIC_API_KEY: 'sk-ant-abcdef',
      REDIS_URL: 'redis://:redis-pass@127.0.0.1:6379',
      DATABASE_URL: 'postgres://roma:pg%2Fpass@127.0.0.1:5432/roma',
      AWS_SECRET_ACCESS_KEY: 'aws-secret-xyz',
    },
    flags: {
      ptc: {
        mcpServers: {
          remote: {
            transport: 'http',
            url: 'http://127.0.0.1:9/mcp',
            headers: { Authorization: 'Bearer tok-123' },
          },
          local: { transport: 'stdio', command: 'node', env: { API_TOKEN: 'env-token-456' } },
        },
      },
    },
  });

  it('replaces every secret and leaves the rest', () => {
    const redacted = redactConfig(config);
    const text = JSON.stringify(redacted);
    for (const secret of [
      'sk-ant-abcdef',
      'redis-pass',
      'pg%2Fpass',
      'pg/pass',
      'aws-secret-xyz',
      'tok-123',
      'env-token-456',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(redacted.llm.anthropicApiKey).toBe('***');
    expect(redacted.cache.redisUrl).toBe('redis://:***@127.0.0.1:6379');
    expect(redacted.engine).toEqual(config.engine);
    expect(config.llm.anthropicApiKey).toBe('sk-ant-abcdef');
  });

  it('lists the secret values, decoded URL passwords included', () => {
    const values = secretValuesOf(config);
    expect(values).toEqual(
      expect.arrayContaining([
        'sk-ant-abcdef',
        'redis-pass',
        'pg/pass',
        'aws-secret-xyz',
        'Bearer tok-123',
        'env-token-456',
      ]),
    );
  });
});

describe('createSecretScrubber', () => {
  it('replaces every occurrence, longest first, including encoded spellings', () => {
    const scrub = createSecretScrubber(['abcd1234', 'abcd1234-long', 'p@ss/word']);
    expect(scrub('key abcd1234-long and abcd1234 twice abcd1234')).toBe('key *** and *** twice ***');
    expect(scrub('url p%40ss%2Fword and "p@ss/word"')).toBe('url *** and "***"');
  });

  it('catches base64, base64url and hex encodings of a secret, wherever it sits in a longer encoded blob', () => {
    const secret = 'Pg-pa55/word+?';
    const scrub = createSecretScrubber([secret]);
    for (const prefix of ['', 'a', 'ab', 'abc', 'user:']) {
      const blob = Buffer.from(`${prefix}${secret} and more`, 'utf8');
      for (const encoded of [blob.toString('base64'), blob.toString('base64url'), blob.toString('hex')]) {
        const scrubbed = scrub(`value=${encoded}`);
        expect(scrubbed).toContain('***');
        // What is left cannot be decoded back to the secret.
        const left = scrubbed.replace('value=', '').split('***');
        for (const part of left) {
          for (const decoded of [Buffer.from(part, 'base64'), Buffer.from(part, 'hex')])
            expect(decoded.toString('utf8')).not.toContain(secret);
        }
      }
    }
    // Positive control: the same text without the secret is untouched.
    const clean = Buffer.from('nothing secret here at all').toString('base64');
    expect(scrub(clean)).toBe(clean);
  });

  it('is the identity with no secrets and skips very short values', () => {
    expect(createSecretScrubber([])('text')).toBe('text');
    expect(createSecretScrubber(['ab'])('about')).toBe('about');
  });
});
