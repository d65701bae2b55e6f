// `roma demo` end to end in a child process: scripted model over the real SDK path, and cached on Redis.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { runRoma, runRomaAsync } from './cli-test-support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'roma-demo-'));
const prefix = `roma-demo-test-${process.pid}-${Date.now()}:`;

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
});

describe('roma demo', { timeout: 180_000 }, () => {
  it('says the model is scripted and how to use a real one, then solves a 3-level tree', () => {
    const run = runRoma(['demo', '--latency-ms', '0'], {
      cwd: dataDir,
      env: { ROMA_DATA_DIR: join(dataDir, 'plain'), ROMA_CACHE_ENABLED: 'false' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('the model is SCRIPTED');
    expect(run.stdout).toContain('ANTHROPIC_API_KEY');
    expect(run.stdout).toContain('OPENAI_BASE_URL');
    expect(run.stdout).toContain('Why the sky is blue and sunsets are red');
    expect(run.stdout).toMatch(/tasks 8 \(8 completed, 0 failed, 0 cancelled\), depth 2/);
    expect(run.stdout).toContain('upstream model calls: 15');
  });

  it('with REDIS_URL, a second run makes no upstream model call and reports 100% tokens saved', () => {
    const env = {
      ROMA_DATA_DIR: join(dataDir, 'redis'),
      REDIS_URL: 'redis://127.0.0.1:6379',
      ROMA_CACHE_KEY_PREFIX: prefix,
    };
    const first = runRoma(['demo', '--latency-ms', '0'], { cwd: dataDir, env });
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('upstream model calls: 15');
    expect(first.stdout).toMatch(/tokens: [\d,]+ in \/ [\d,]+ out · saved 0 tokens \(0%\)/);
    const second = runRoma(['demo', '--latency-ms', '0'], { cwd: dataDir, env });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('upstream model calls: 0 (cache Redis; 15 of 15 calls answered from it)');
    expect(second.stdout).toContain('model calls 15, 15 from cache');
    // What the first run spent is what the second one saved.
    const spent = /tokens: ([\d,]+) in \/ ([\d,]+) out/.exec(first.stdout);
    const total = Number(spent?.[1]?.replaceAll(',', '')) + Number(spent?.[2]?.replaceAll(',', ''));
    expect(total).toBeGreaterThan(0);
    expect(second.stdout).toContain(
      `tokens: 0 in / 0 out · saved ${total.toLocaleString('en-US')} tokens (100%)`,
    );
    // One process, one cache: a Redis warning (e.g. maxmemory-policy noeviction) is said at most once.
    for (const run of [first, second]) {
      expect(run.stderr.match(/noeviction/g)?.length ?? 0).toBeLessThanOrEqual(1);
    }
  });

  it('goes on past a broken roma.config.yaml it does not need, saying so once', () => {
    const cwd = join(dataDir, 'broken-config');
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'roma.config.yaml'), 'llm:\n  model: x\n engine: [\n');
    const run = runRoma(['demo', '--latency-ms', '0'], {
      cwd,
      env: { ROMA_DATA_DIR: join(cwd, 'data'), ROMA_CACHE_ENABLED: 'false' },
    });
    expect(run.stderr).toMatch(/^roma: demo goes on without the config file: CONFIG_INVALID /);
    expect(run.stderr).toContain('roma.config.yaml:3:1');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/tasks \d+ \(\d+ completed, 0 failed, 0 cancelled\)/);
  });

  it('Ctrl-C on the demo, then `roma runs resume <id>` completes the run (the demo model restarts)', async () => {
    const cwd = join(dataDir, 'interrupted');
    mkdirSync(cwd, { recursive: true });
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NO_COLOR: '1',
      ROMA_DATA_DIR: join(cwd, 'data'),
      ROMA_CACHE_ENABLED: 'false',
    };
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', tsx, main, 'demo', '--json', '--latency-ms', '400'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // Interrupt once the first subtask has finished, while the rest is in flight.
      if (!interrupted && /"type":"task-end"/.test(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    expect(interrupted, stderr).toBe(true);
    expect(code).toBe(1);
    const executionId = /"executionId":"([^"]+)"/.exec(stdout)?.[1] ?? '';
    expect(executionId).not.toBe('');
    expect(stdout).toContain('"status":"CANCELLED"');

    const resumed = await runRomaAsync(['runs', 'resume', executionId], { cwd, env });
    expect(resumed.stderr).not.toContain('MODEL_NOT_CONFIGURED');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('Why the sky is blue and sunsets are red');
    expect(resumed.stdout).toContain('COMPLETED');
  });
});
