// Precedence (defaults < file < profile < env < flags), env mapping, `${VAR}` expansion and one-line errors.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the config file syntax under test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRomaError, type RomaError } from '../contracts/index.js';
import {
  defaultConfig,
  type LoadConfigOptions,
  loadConfig,
  loadConfigFromCli,
  resolveConfig,
} from './index.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'roma-config-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function writeConfig(text: string, name = 'roma.config.yaml'): string {
  const file = join(cwd, name);
  writeFileSync(file, text);
  return file;
}

function failure(options: LoadConfigOptions): RomaError {
  try {
    resolveConfig({ cwd, env: {}, ...options });
  } catch (error) {
    if (isRomaError(error)) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

const FILE = `
llm:
  model: anthropic:claude-from-file
engine:
  maxDepth: 1
  maxConcurrency: 2
profiles:
  deep:
    engine:
      maxDepth: 4
  cheap:
    llm:
      model: openai:gpt-cheap
`;

describe('loadConfig precedence', () => {
  it('gives the defaults with no file, env or flags', () => {
    expect(loadConfig({ cwd, env: {} })).toEqual(defaultConfig());
  });

  it('reads roma.config.yaml from cwd over the defaults', () => {
    writeConfig(FILE);
    const loaded = resolveConfig({ cwd, env: {} });
    expect(loaded.config.llm.model).toBe('anthropic:claude-from-file');
    expect(loaded.config.engine.maxDepth).toBe(1);
    expect(loaded.config.engine.maxSubtasks).toBe(defaultConfig().engine.maxSubtasks);
    expect(loaded.file).toBe('roma.config.yaml');
    expect(loaded.sources['engine.maxDepth']).toEqual({ kind: 'file', file: 'roma.config.yaml' });
  });

  it('merges the chosen profile over the file, from --profile or ROMA_PROFILE', () => {
    writeConfig(FILE);
    const byOption = resolveConfig({ cwd, env: {}, profile: 'deep' });
    expect(byOption.config.engine.maxDepth).toBe(4);
    expect(byOption.config.engine.maxConcurrency).toBe(2);
    expect(byOption.config.llm.model).toBe('anthropic:claude-from-file');
    expect(byOption.profile).toBe('deep');
    expect(loadConfig({ cwd, env: { ROMA_PROFILE: 'cheap' } }).llm.model).toBe('openai:gpt-cheap');
  });

  it('refuses an unknown profile, listing the known ones', () => {
    writeConfig(FILE);
    const error = failure({ profile: 'fast' });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('profile');
    expect(error.toLine()).toContain('"fast"');
    expect(error.fix).toContain('deep, cheap');
  });

  it('puts env over the file and flags over env', () => {
    writeConfig(FILE);
    const env = { ROMA_ENGINE_MAX_DEPTH: '3', ROMA_MODEL: 'openai:from-env' };
    const fromEnv = resolveConfig({ cwd, env });
    expect(fromEnv.config.engine.maxDepth).toBe(3);
    expect(fromEnv.config.llm.model).toBe('openai:from-env');
    expect(fromEnv.sources['engine.maxDepth']).toEqual({ kind: 'env', variable: 'ROMA_ENGINE_MAX_DEPTH' });
    const fromFlags = resolveConfig({ cwd, env, flags: { engine: { maxDepth: 5 } } });
    expect(fromFlags.config.engine.maxDepth).toBe(5);
    expect(fromFlags.sources['engine.maxDepth']).toEqual({ kind: 'flag', flag: '--max-depth' });
  });

  it('reads an explicit --config file and refuses a missing one', () => {
    const file = writeConfig('engine:\n  maxDepth: 7\n', 'other.yaml');
    expect(loadConfig({ cwd, env: {}, configFile: file }).engine.maxDepth).toBe(7);
    expect(loadConfig({ cwd, env: {}, configFile: 'other.yaml' }).engine.maxDepth).toBe(7);
    expect(loadConfig({ cwd, env: { ROMA_CONFIG: 'other.yaml' } }).engine.maxDepth).toBe(7);
    expect(failure({ configFile: 'missing.yaml' }).toLine()).toContain('missing.yaml not found');
  });

  it('refuses a profile when there is no config file', () => {
    expect(failure({ profile: 'deep' }).field).toBe('profile');
  });
});

describe('env vars', () => {
  it('maps ROMA_<SECTION>_<KEY> to camelCase keys, coercing numbers and booleans', () => {
    const config = loadConfig({
      cwd,
      env: {
        ROMA_ENGINE_MAX_DEPTH: '3',
        ROMA_ENGINE_VERIFY: 'true',
        ROMA_ENGINE_CONTINUE_ON_FAILURE: '0',
        ROMA_ENGINE_BUDGETS_MAX_COST_USD: '0.25',
        ROMA_ENGINE_MODULES_PLANNER_MODEL: 'openai:planner',
        ROMA_LLM_MODEL: 'anthropic:claude-x',
        ROMA_CACHE_STRATEGY: 'ALWAYS',
        ROMA_SANDBOX_MEMORY_MB: '128',
        ROMA_LOG_LEVEL: 'debug',
      },
    });
    expect(config.engine.maxDepth).toBe(3);
    expect(config.engine.verify).toBe(true);
    expect(config.engine.continueOnFailure).toBe(false);
    expect(config.engine.budgets.maxCostUsd).toBe(0.25);
    expect(config.engine.modules.planner?.model).toBe('openai:planner');
    expect(config.llm.model).toBe('anthropic:claude-x');
    expect(config.cache.strategy).toBe('ALWAYS');
    expect(config.sandbox.memoryMb).toBe(128);
    expect(config.server.logLevel).toBe('debug');
  });

  it('maps the well-known variables users already have', () => {
    const config = loadConfig({
      cwd,
      env: {
        ANTHROPIC_API_KEY: 'sk-ant-1',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/anthropic',
        OPENAI_API_KEY: 'sk-openai-1',
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        REDIS_URL: 'redis://127.0.0.1:6379',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        S3_ENDPOINT: 'http://127.0.0.1:9000',
        S3_BUCKET: 'artifacts',
        AWS_ACCESS_KEY_ID: 'AKIA1',
        AWS_SECRET_ACCESS_KEY: 'aws-secret',
        DAYTONA_API_KEY: 'dtn-1',
        DAYTONA_API_URL: 'https://app.daytona.io/api',
        MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000',
        PTC_SERVICE_URL: 'http://127.0.0.1:8002',
        ROMA_MODEL: 'anthropic:claude-y',
      },
    });
    expect(config.llm).toMatchObject({
      model: 'anthropic:claude-y',
      anthropicApiKey: 'sk-ant-1',
      anthropicBaseUrl: 'http://127.0.0.1:9/anthropic',
      openaiApiKey: 'sk-openai-1',
      openaiBaseUrl: 'http://127.0.0.1:9/v1',
    });
    expect(config.cache.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.store).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
      s3Endpoint: 'http://127.0.0.1:9000',
      s3Bucket: 'artifacts',
      s3AccessKeyId: 'AKIA1',
      s3SecretAccessKey: 'aws-secret',
    });
    expect(config.sandbox.daytonaApiKey).toBe('dtn-1');
    expect(config.sandbox.daytonaApiUrl).toBe('https://app.daytona.io/api');
    expect(config.server.mlflowTrackingUri).toBe('http://127.0.0.1:5000');
    expect(config.ptc.serviceUrl).toBe('http://127.0.0.1:8002');
  });

  it('lets ROMA_LLM_MODEL win over ROMA_MODEL, and ignores empty values', () => {
    const config = loadConfig({
      cwd,
      env: { ROMA_MODEL: 'openai:a', ROMA_LLM_MODEL: 'openai:b', ANTHROPIC_API_KEY: '' },
    });
    expect(config.llm.model).toBe('openai:b');
    expect(config.llm.anthropicApiKey).toBeUndefined();
  });

  it('refuses a misspelt ROMA_<SECTION>_ variable with the close name', () => {
    const error = failure({ env: { ROMA_ENGINE_MAX_DEPT: '3' } });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('ROMA_ENGINE_MAX_DEPT');
    expect(error.fix).toContain('did you mean ROMA_ENGINE_MAX_DEPTH?');
  });

  it('leaves other ROMA_ variables alone', () => {
    expect(() =>
      loadConfig({ cwd, env: { ROMA_SOMETHING_ELSE: 'x', ROMA_SANDBOX_SELF_TEST_SECRET: 'y' } }),
    ).not.toThrow();
  });
});

describe('${VAR} expansion in the file', () => {
  it('expands references, defaults, and coerces numbers', () => {
    writeConfig(
      [
        'llm:',
        '  anthropicApiKey: ${MY_KEY}',
        '  model: anthropic:${MODEL_NAME:-claude-default}',
        'engine:',
        '  maxDepth: ${DEPTH}',
        'ptc:',
        '  mcpServers:',
        '    memory:',
        '      transport: stdio',
        '      command: echo',
        '      env: { LITERAL: "$${NOT_EXPANDED}" }',
      ].join('\n'),
    );
    const config = loadConfig({ cwd, env: { MY_KEY: 'sk-ant-expanded', DEPTH: '3' } });
    expect(config.llm.anthropicApiKey).toBe('sk-ant-expanded');
    expect(config.llm.model).toBe('anthropic:claude-default');
    expect(config.engine.maxDepth).toBe(3);
    const memory = config.ptc.mcpServers.memory;
    // An MCP server's env is expanded once, at connect (src/config/expand.test.ts): here it is as written.
    expect(memory?.transport === 'stdio' && memory.env.LITERAL).toBe('$${NOT_EXPANDED}');
  });

  it('refuses a reference to an unset variable, naming key and variable', () => {
    writeConfig('llm:\n  anthropicApiKey: ${MISSING_KEY}\n');
    const error = failure({});
    expect(error.field).toBe('llm.anthropicApiKey');
    expect(error.toLine()).toContain('MISSING_KEY');
    expect(error.fix).toContain('export MISSING_KEY=');
  });
});

describe('one-line errors', () => {
  it('names key, value, env var and the allowed range', () => {
    const error = failure({ env: { ROMA_ENGINE_MAX_DEPTH: '42' } });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('engine.maxDepth');
    const line = error.toLine();
    expect(line).not.toContain('\n');
    expect(line).toContain('engine.maxDepth');
    expect(line).toContain('42');
    expect(line).toContain('env ROMA_ENGINE_MAX_DEPTH');
    expect(line).toContain('use an integer from 0 to 10');
  });

  it('states a positive integer bound as it is checked (> 0 means from 1), without the safe-integer cap', () => {
    const error = failure({ env: { ROMA_ENGINE_BUDGETS_MAX_TOKENS: '-5' } });
    expect(error.field).toBe('engine.budgets.maxTokens');
    expect(error.fix).toBe('use an integer ≥ 1');
  });

  it('names the file for a bad value in the file, and the enum values', () => {
    writeConfig('sandbox:\n  provider: docker\n');
    const line = failure({}).toLine();
    expect(line).toContain('sandbox.provider');
    expect(line).toContain('"docker"');
    expect(line).toContain('roma.config.yaml');
    expect(line).toContain('use one of: isolate, process, daytona');
  });

  it('names the profile for a bad value in a profile', () => {
    writeConfig('profiles:\n  broken:\n    engine:\n      maxConcurrency: 0\n');
    const line = failure({ profile: 'broken' }).toLine();
    expect(line).toContain('engine.maxConcurrency');
    expect(line).toContain('roma.config.yaml (profile broken)');
  });

  it('names the flag for a bad flag value', () => {
    const error = failure({ flags: { engine: { budgets: { maxCostUsd: -1 } } } });
    expect(error.field).toBe('engine.budgets.maxCostUsd');
    expect(error.toLine()).toContain('flag --budget-usd');
  });

  it('redacts a secret value in the error', () => {
    const badKey = failure({ flags: { llm: { anthropicApiKey: 12345678 } } });
    expect(badKey.field).toBe('llm.anthropicApiKey');
    expect(badKey.toLine()).not.toContain('12345678');
    expect(badKey.toLine()).toContain('***');
  });

  it('suggests the close key for an unknown key', () => {
    writeConfig('engine:\n  maxDepht: 3\n');
    const error = failure({});
    expect(error.field).toBe('engine.maxDepht');
    expect(error.toLine()).toContain('unknown key');
    expect(error.fix).toBe('did you mean engine.maxDepth?');
  });

  it('suggests the close section for an unknown section and lists keys when nothing is close', () => {
    writeConfig('engnie:\n  maxDepth: 3\n');
    expect(failure({}).fix).toBe('did you mean engine?');
    writeConfig('llm:\n  zzzzzzzzzz: 1\n');
    expect(failure({}).fix).toContain('llm accepts: model,');
  });

  it('reports YAML syntax errors with the line and column', () => {
    writeConfig('llm:\n  model: x\n engine:\n  maxDepth: 2\n');
    const error = failure({});
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.toLine()).toContain('roma.config.yaml:3:1');
    expect(error.toLine()).toContain('not valid YAML');
  });

  it('lists every problem at once, unknown keys and bad values, each with its field, source and fix', () => {
    writeConfig('engine:\n  maxDepth: -3\n  maxConcurrency: lots\n  bogus: 1\n');
    const error = failure({ env: { ROMA_CACHE_TTL_SECONDS: 'never' } });
    const problems = error.details?.problems as Array<{ field: string; message: string; fix: string }>;
    expect(problems.map((problem) => problem.field).sort()).toEqual(
      ['cache.ttlSeconds', 'engine.bogus', 'engine.maxConcurrency', 'engine.maxDepth'].sort(),
    );
    expect(error.message).toMatch(/^4 problems in the config:/);
    for (const field of ['engine.bogus', 'engine.maxDepth', 'engine.maxConcurrency', 'cache.ttlSeconds']) {
      expect(error.message).toContain(`  ${field}: `);
    }
    expect(error.message).toContain('env ROMA_CACHE_TTL_SECONDS');
    expect(error.message).not.toContain('more)');
  });
});

describe('loadConfigFromCli', () => {
  it('maps the shared flags and reads --config/--profile from program options', () => {
    writeConfig(FILE, 'custom.yaml');
    const config = loadConfigFromCli(
      { model: 'openai:flag-model', maxDepth: '2', maxConcurrency: '9', budgetUsd: '1.5' },
      { config: join(cwd, 'custom.yaml'), profile: 'deep' },
      { cwd, env: {} },
    );
    expect(config.llm.model).toBe('openai:flag-model');
    expect(config.engine.maxDepth).toBe(2);
    expect(config.engine.maxConcurrency).toBe(9);
    expect(config.engine.budgets.maxCostUsd).toBe(1.5);
  });

  it('accepts a commander Command and reads global options', async () => {
    writeConfig(FILE);
    let seen: number | undefined;
    const program = new Command('roma').option('-p, --profile <name>').exitOverride();
    program
      .command('solve')
      .option('--max-depth <n>')
      .action((_options, command: Command) => {
        seen = loadConfigFromCli(command, undefined, { cwd, env: {} }).engine.maxDepth;
      });
    await program.parseAsync(['node', 'roma', '--profile', 'deep', 'solve'], { from: 'node' });
    expect(seen).toBe(4);
    await program.parseAsync(['node', 'roma', 'solve', '--max-depth', '0'], { from: 'node' });
    expect(seen).toBe(0);
  });

  it('refuses a non-numeric flag value naming the flag', () => {
    expect(() => loadConfigFromCli({ maxDepth: 'lots' }, {}, { cwd, env: {} })).toThrow(/flag --max-depth/);
  });
});

describe('.env', () => {
  it('fills in what the environment leaves unset, the real environment winning, and names .env as the source', () => {
    writeFileSync(
      join(cwd, '.env'),
      'ROMA_ENGINE_MAX_DEPTH=3\nREDIS_URL=redis://from-dotenv:6379\n# comment\nROMA_MODEL="openai:from-dotenv"\n',
    );
    const loaded = resolveConfig({ cwd, env: { REDIS_URL: 'redis://from-env:6379' } });
    expect(loaded.config.engine.maxDepth).toBe(3);
    expect(loaded.config.llm.model).toBe('openai:from-dotenv');
    expect(loaded.config.cache.redisUrl).toBe('redis://from-env:6379');
    expect(loaded.sources['engine.maxDepth']).toEqual({
      kind: 'env',
      variable: 'ROMA_ENGINE_MAX_DEPTH',
      file: '.env',
    });
    expect(loaded.sources['cache.redisUrl']).toEqual({ kind: 'env', variable: 'REDIS_URL' });
  });

  it('is ignored with dotEnv: false, and a bad value in it is named with .env as its source', () => {
    writeFileSync(join(cwd, '.env'), 'ROMA_ENGINE_MAX_DEPTH=deep\n');
    expect(resolveConfig({ cwd, env: {}, dotEnv: false }).config.engine.maxDepth).toBe(
      defaultConfig().engine.maxDepth,
    );
    expect(failure({}).toLine()).toContain('.env ROMA_ENGINE_MAX_DEPTH');
  });

  it('feeds ${VAR} references in the config file', () => {
    writeFileSync(join(cwd, '.env'), 'MY_MODEL=anthropic:from-dotenv\n');
    writeConfig('llm:\n  model: ${MY_MODEL}\n');
    expect(loadConfig({ cwd, env: {} }).llm.model).toBe('anthropic:from-dotenv');
  });
});

describe('MCP server entries in the shape MCP clients use', () => {
  it('reads command as stdio, url as streamable HTTP, and type as the transport', () => {
    writeConfig(
      'ptc:\n  mcpServers:\n    desktop: { command: node, args: [server.js], env: { A: "1" } }\n    cursor: { url: "http://127.0.0.1:9/mcp" }\n    code: { type: sse, url: "http://127.0.0.1:9/sse" }\n',
    );
    const servers = loadConfig({ cwd, env: {} }).ptc.mcpServers;
    expect(servers.desktop).toMatchObject({
      transport: 'stdio',
      command: 'node',
      args: ['server.js'],
      env: { A: '1' },
    });
    expect(servers.cursor).toMatchObject({ transport: 'http', url: 'http://127.0.0.1:9/mcp' });
    expect(servers.code).toMatchObject({ transport: 'sse', url: 'http://127.0.0.1:9/sse' });
  });

  it('still names the field of an entry that has neither command nor url', () => {
    writeConfig('ptc:\n  mcpServers:\n    broken: { args: [x] }\n');
    expect(failure({}).toLine()).toContain('ptc.mcpServers.broken');
  });
});
