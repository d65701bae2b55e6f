// A secret from config or options never reaches a log line, in messages, fields or errors.
import { describe, expect, it } from 'vitest';
import { loadConfig, SecretList } from '../config/index.js';
import { createLogger, createLoggerFromConfig } from './index.js';

function collect(): { lines: string[]; destination: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('createLogger', () => {
  it('writes JSON lines with the secret values replaced by ***', () => {
    const { lines, destination } = collect();
    const logger = createLogger({ secrets: ['sk-ant-very-secret'], destination, name: 'test' });
    logger.info({ header: 'Bearer sk-ant-very-secret' }, 'calling with sk-ant-very-secret');
    logger.error(new Error('401 for key sk-ant-very-secret'));
    const output = lines.join('');
    expect(output).not.toContain('sk-ant-very-secret');
    expect(output).toContain('***');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(JSON.parse(lines[0]!)).toMatchObject({
      name: 'test',
      msg: 'calling with ***',
      header: 'Bearer ***',
    });
  });

  it('scrubs what the process secret list learns after the logger was made (an OAuth token)', () => {
    const { lines, destination } = collect();
    const secrets = new SecretList(['sk-ant-very-secret']);
    const logger = createLogger({ destination, redact: secrets.redact });
    logger.info('token oauth-token-learnt-later');
    secrets.add(['oauth-token-learnt-later']);
    logger.info('token oauth-token-learnt-later');
    // Positive control: before the list knew it, the value was written as is.
    expect(JSON.parse(lines[0]!).msg).toBe('token oauth-token-learnt-later');
    expect(JSON.parse(lines[1]!).msg).toBe('token ***');
  });

  it('scrubs secrets that need escaping in JSON', () => {
    const { lines, destination } = collect();
    const logger = createLogger({ secrets: ['p"a\\ss'], destination });
    logger.info({ value: 'x p"a\\ss y' }, 'msg');
    expect(lines.join('')).not.toContain(JSON.stringify('p"a\\ss').slice(1, -1));
    expect(JSON.parse(lines[0]!).value).toBe('x *** y');
  });

  it('respects the level', () => {
    const { lines, destination } = collect();
    const logger = createLogger({ level: 'warn', destination });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
  });
});

describe('createLoggerFromConfig', () => {
  it('scrubs the API keys and URL passwords of the config', () => {
    const config = loadConfig({
      cwd: '/nonexistent-roma-dir',
      env: {
        ANTHROPIC_API_KEY: 'sk-ant-from-env-123',
        DATABASE_URL: 'postgres://roma:db-password-9@127.0.0.1:5432/roma',
        ROMA_SERVER_LOG_LEVEL: 'debug',
      },
    });
    const { lines, destination } = collect();
    const logger = createLoggerFromConfig(config, { destination });
    logger.debug({ url: config.store.databaseUrl, key: config.llm.anthropicApiKey }, 'connecting');
    const output = lines.join('');
    expect(lines).toHaveLength(1);
    expect(output).not.toContain('sk-ant-from-env-123');
    expect(output).not.toContain('db-password-9');
    expect(output).toContain('postgres://roma:***@127.0.0.1:5432/roma');
  });
});
