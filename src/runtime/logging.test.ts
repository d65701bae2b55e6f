// The runtime's process logs through src/logging: cache trouble as JSON lines, secrets scrubbed, level from config.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort } from '../cli/commands/cli-test-support.js';
import { defaultConfig, type RomaConfig } from '../config/index.js';
import { createLoggerFromConfig, terminalLine } from '../logging/index.js';
import { openRuntime } from './index.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'roma-runtime-log-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function config(overrides: Partial<RomaConfig> = {}): RomaConfig {
  const base = defaultConfig();
  return { ...base, store: { ...base.store, dataDir }, ...overrides };
}

describe('runtime logging', () => {
  it('reports a Redis that is down through the process logger, as JSON lines without the password', async () => {
    const base = config();
    const redisUrl = `redis://:redis-pw-secret-123@127.0.0.1:${await closedPort()}`;
    const withRedis = config({ cache: { ...base.cache, redisUrl } });
    const lines: string[] = [];
    const logger = createLoggerFromConfig(withRedis, {
      name: 'server',
      destination: { write: (line: string) => void lines.push(line) },
    });
    const runtime = await openRuntime(withRedis, { logger });
    await runtime.close();
    expect(lines.length).toBeGreaterThan(0);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.some((record) => record.component === 'cache' && record.name === 'server')).toBe(true);
    expect(lines.join('')).not.toContain('redis-pw-secret-123');
  });

  it('takes its level from server.logLevel', async () => {
    const base = config();
    const runtime = await openRuntime(config({ server: { ...base.server, logLevel: 'error' } }), {
      services: 'store',
    });
    try {
      expect(runtime.logger.level).toBe('error');
    } finally {
      await runtime.close();
    }
  });

  it('writes one readable line per record on a terminal', () => {
    const line = terminalLine(
      JSON.stringify({
        level: 40,
        time: 1,
        pid: 2,
        name: 'cli',
        component: 'cache',
        msg: 'Redis is down',
        url: 'x',
      }),
    );
    expect(line).toBe('roma cache: warning: Redis is down (url=x)\n');
    expect(terminalLine(JSON.stringify({ level: 30, name: 'server', msg: 'listening' }))).toBe(
      'roma server: listening\n',
    );
  });
});
