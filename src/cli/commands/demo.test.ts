// `roma demo` end to end in a child process: scripted model over the real SDK path, and cached on Redis.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSalesData } from '../../dev/sales-server/index.js';
import { runRoma, runRomaAsync } from './cli-test-support.js';

/** Atomizers, planners, executors, aggregators, and two turns of each CODE task's code agent. */
const DEMO_MODEL_CALLS = 14;
/** On a second run with Redis, the CODE tasks are PTC result-cache hits: no model call of theirs is made. */
const SECOND_RUN_CALLS = 10;

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
  it('says the model is scripted, solves a tree whose CODE tasks call the bundled MCP server, and says what PTC kept out of context', () => {
    const run = runRoma(['demo', '--latency-ms', '0'], {
      cwd: dataDir,
      env: { ROMA_DATA_DIR: join(dataDir, 'plain'), ROMA_CACHE_ENABLED: 'false' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('the model is SCRIPTED');
    expect(run.stdout).toContain('ANTHROPIC_API_KEY');
    expect(run.stdout).toContain('OPENAI_BASE_URL');
    expect(run.stdout).toContain('Refunds brief');
    expect(run.stdout).toMatch(/start +root\.1\.1 CODE: Compute refunds by region/);
    expect(run.stdout).toMatch(/tasks 6 \(6 completed, 0 failed, 0 cancelled\), depth 2/);
    expect(run.stdout).toContain(`upstream model calls: ${DEMO_MODEL_CALLS}`);
    const kept = run.stdout.match(
      /programmatic tool calling: 2 tool calls returned ([\d.,]+) KB to the sandbox; the programs printed ([\d.,]+) KB — about ([\d,]+) tokens kept out of the model's context/,
    );
    expect(kept).not.toBeNull();
    // The two tools' answers are the whole order list and every error log entry, as the server sends them.
    const data = generateSalesData();
    const errors = data.logs.filter((entry) => entry.level === 'error');
    const resultBytes =
      Buffer.byteLength(JSON.stringify({ orders: data.orders, total: data.orders.length }, null, 2)) +
      Buffer.byteLength(JSON.stringify({ entries: errors, total: errors.length }, null, 2));
    expect(Number(kept?.[1]?.replaceAll(',', ''))).toBeCloseTo(resultBytes / 1024, 0);
    expect(Number(kept?.[3]?.replaceAll(',', ''))).toBeGreaterThan(resultBytes / 4 - 1_000);
  });

  it('runs the CODE tasks as programs in the isolate whose printed figures match the data', () => {
    const run = runRoma(['demo', '--latency-ms', '0', '--json'], {
      cwd: dataDir,
      env: { ROMA_DATA_DIR: join(dataDir, 'json'), ROMA_CACHE_ENABLED: 'false' },
    });
    expect(run.status).toBe(0);
    const events = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; stdout?: string; provider?: string; tool?: string });
    expect(
      events.filter((event) => event.type === 'code-execution-start').map((event) => event.provider),
    ).toEqual(['isolate', 'isolate']);
    expect(
      events
        .filter((event) => event.type === 'tool-call')
        .map((event) => event.tool)
        .sort(),
    ).toEqual(['list_orders', 'search_logs']);
    const printed = events
      .filter((event) => event.type === 'code-execution-end')
      .map((event) => event.stdout)
      .join('\n');
    // Ground truth computed here from the same deterministic data, independently of the programs.
    const data = generateSalesData();
    const refunded = data.orders.filter((order) => order.status === 'refunded');
    const west = refunded.filter((order) => order.region === 'west');
    const errors = data.logs.filter((entry) => entry.level === 'error');
    expect(printed).toContain(`Refunded: ${refunded.length} of ${data.orders.length} orders`);
    expect(printed).toContain(
      `- west: ${west.length} refunds (${((100 * west.length) / data.orders.filter((order) => order.region === 'west').length).toFixed(1)}% of its orders)`,
    );
    expect(printed).toContain(`Error log entries: ${errors.length};`);
  });

  it('with REDIS_URL, a second run makes no upstream model call and reports 100% tokens saved', () => {
    const env = {
      ROMA_DATA_DIR: join(dataDir, 'redis'),
      REDIS_URL: 'redis://127.0.0.1:6379',
      ROMA_CACHE_KEY_PREFIX: prefix,
    };
    const first = runRoma(['demo', '--latency-ms', '0'], { cwd: dataDir, env });
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`upstream model calls: ${DEMO_MODEL_CALLS}`);
    expect(first.stdout).toMatch(/tokens: [\d,]+ in \/ [\d,]+ out · saved 0 tokens \(0%\)/);
    const second = runRoma(['demo', '--latency-ms', '0'], { cwd: dataDir, env });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(
      `upstream model calls: 0 (cache Redis; ${SECOND_RUN_CALLS} of ${SECOND_RUN_CALLS} calls answered from it)`,
    );
    expect(second.stdout).toContain(`model calls ${SECOND_RUN_CALLS}, ${SECOND_RUN_CALLS} from cache`);
    // The second run spends nothing and saves exactly what the first spent: the engine's model calls come from
    // the LLM cache, the CODE tasks whole from the PTC result cache, whose hits carry the original run's usage.
    const spent = /tokens: ([\d,]+) in \/ ([\d,]+) out/.exec(first.stdout);
    const total = Number(spent?.[1]?.replaceAll(',', '')) + Number(spent?.[2]?.replaceAll(',', ''));
    const saved = /tokens: 0 in \/ 0 out · saved ([\d,]+) tokens \(100%\)/.exec(second.stdout);
    expect(saved).not.toBeNull();
    const savedTokens = Number(saved?.[1]?.replaceAll(',', ''));
    expect(savedTokens).toBeGreaterThan(0);
    expect(savedTokens).toBe(total);
    // No tool was called on the second run, so there is no PTC line to print.
    expect(second.stdout).not.toContain('programmatic tool calling:');
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
    expect(resumed.stdout).toContain('Refunds brief');
    expect(resumed.stdout).toContain('COMPLETED');
  });
});
