// `roma config show` prints the effective config with every secret redacted and each value's source.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the config file syntax under test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runRoma } from './cli-test-support.js';

const SECRETS = {
  ANTHROPIC_API_KEY: 'sk-ant-env-secret-1234',
  REDIS_URL: 'redis://:redis-secret-pw@127.0.0.1:6379',
  DATABASE_URL: 'postgres://roma:pg-secret-pw@127.0.0.1:5432/roma',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-5678',
  MCP_TOKEN: 'mcp-token-9999',
};

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'roma-config-show-'));
  writeFileSync(
    join(cwd, 'roma.config.yaml'),
    [
      'engine:',
      '  maxDepth: 1',
      'ptc:',
      '  mcpServers:',
      '    remote:',
      '      transport: http',
      '      url: http://127.0.0.1:9/mcp',
      '      headers:',
      '        Authorization: Bearer ${MCP_TOKEN}',
      'profiles:',
      '  deep:',
      '    engine:',
      '      maxDepth: 3',
    ].join('\n'),
  );
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

describe('roma config show', () => {
  it('never prints a secret set in env or expanded into the file', () => {
    for (const args of [
      ['config', 'show'],
      ['config', 'show', '--json'],
    ]) {
      const run = runRoma(args, { cwd, env: SECRETS });
      expect(run.status, run.stderr).toBe(0);
      for (const secret of [
        'sk-ant-env-secret-1234',
        'redis-secret-pw',
        'pg-secret-pw',
        'aws-secret-5678',
        'mcp-token-9999',
      ]) {
        expect(run.stdout).not.toContain(secret);
        expect(run.stderr).not.toContain(secret);
      }
      expect(run.stdout).toContain('***');
    }
  });

  it('prints YAML with the source of each non-default value, profile and env included', () => {
    const run = runRoma(['--profile', 'deep', 'config', 'show'], {
      cwd,
      env: { ...SECRETS, ROMA_ENGINE_MAX_CONCURRENCY: '6' },
    });
    expect(run.status, run.stderr).toBe(0);
    const config = parse(run.stdout);
    expect(config.engine.maxDepth).toBe(3);
    expect(config.engine.maxConcurrency).toBe(6);
    expect(config.llm.anthropicApiKey).toBe('***');
    expect(config.cache.redisUrl).toBe('redis://:***@127.0.0.1:6379');
    expect(run.stdout).toContain('maxDepth: 3 # from roma.config.yaml (profile deep)');
    expect(run.stdout).toContain('maxConcurrency: 6 # from env ROMA_ENGINE_MAX_CONCURRENCY');
    expect(run.stdout).toContain('# from env ANTHROPIC_API_KEY');
  });

  it('prints JSON that parses', () => {
    const run = runRoma(['config', 'show', '--json'], { cwd, env: SECRETS });
    expect(JSON.parse(run.stdout).engine.maxDepth).toBe(1);
  });

  it('fails with one line naming key, value, source and fix', () => {
    const run = runRoma(['config', 'show'], { cwd, env: { ...SECRETS, ROMA_ENGINE_MAX_DEPTH: '42' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      'roma: CONFIG_INVALID engine.maxDepth: 42 from env ROMA_ENGINE_MAX_DEPTH is not allowed: Too big: expected number to be <=10 — use an integer from 0 to 10',
    );
  });
});

describe('roma config validate', () => {
  it('reports the file and profile', () => {
    const run = runRoma(['-p', 'deep', 'config', 'validate'], { cwd, env: SECRETS });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('config valid: roma.config.yaml (profile deep)');
  });
});

describe('roma config env', () => {
  it('lists every variable roma reads, the loader ones included', () => {
    const run = runRoma(['config', 'env'], { cwd, env: SECRETS });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^REDIS_URL\s+cache\.redisUrl$/m);
    expect(run.stdout).toMatch(/^ROMA_CONFIG\s+\(config file/m);
    expect(run.stdout).toMatch(/^ROMA_PROFILE\s+\(profile/m);
  });
});
