// Every bench under bench/ runs in quick mode (what CI runs) and ends with one JSON line of its headline figures.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const benchFolder = fileURLToPath(new URL('.', import.meta.url));

/** Benches as bench/run.ts finds them: bench/<name>.ts, minus the runner, tests and support modules. */
const benches = readdirSync(benchFolder)
  .filter((entry) => entry.endsWith('.ts') && entry !== 'run.ts')
  .filter((entry) => !entry.endsWith('.test.ts') && !entry.startsWith('support'))
  .map((entry) => entry.replace(/\.ts$/, ''))
  .sort();

/** The headline keys each bench promises (the names); a bench not listed must still give numbers. */
const headlineKeys: Record<string, string[]> = {
  engine: ['overheadMsPerNodeHttp', 'overheadMsPerNodeInProcess', 'criticalPathRatio'],
  cache: ['redisHitP50Ratio4k', 'keyUsPerKb', 'memoryHitP50Us4k'],
  sandbox: ['isolateColdMs', 'isolateWarmP50Ms', 'processRunP50Ms', 'processWarmP50Ms'],
  'ptc-tokens': ['medianContextReduction', 'minContextReduction', 'crossoverResultBytes'],
  queue: ['speedup4Workers', 'queueOverheadMsPerNode'],
  api: ['eventsPerSecond', 'p50DeliveryMs', 'p99DeliveryMs'],
};

const perBenchTimeoutMs = 150_000;

function runQuick(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', name, '--quick'], {
      cwd: root,
      env: { ...process.env, ROMA_BENCH_QUICK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-20_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), perBenchTimeoutMs - 5_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    const parsed: unknown = JSON.parse(last);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

describe('every bench in quick mode', () => {
  it('finds the benches', () => {
    expect(benches).toContain('engine');
    expect(benches).toContain('cache');
  });

  // Concurrently, so the whole file stays within a couple of minutes; each bench compares against a baseline
  // measured in its own run, so sharing the machine moves absolute figures, not what is checked here.
  it.concurrent.each(benches)(
    '%s --quick ends with its JSON line',
    { timeout: perBenchTimeoutMs },
    async (name) => {
      const run = await runQuick(name);
      expect(run.code, `bench ${name} failed:\n${run.stderr}`).toBe(0);
      const summary = lastJsonLine(run.stdout);
      expect(
        summary,
        `bench ${name}: the last stdout line is not one JSON object:\n${run.stdout.slice(-2_000)}`,
      ).toBeDefined();
      expect(summary?.bench, `bench ${name}: its JSON line must say "bench": "${name}"`).toBe(name);
      expect(
        summary?.quick,
        `bench ${name} has no quick mode: it must honour --quick / ROMA_BENCH_QUICK=1 (import { quick } from './support-quick.js') with small sizes and put "quick": true in its JSON line`,
      ).toBe(true);
      const keys =
        headlineKeys[name] ?? Object.keys(summary ?? {}).filter((key) => key !== 'bench' && key !== 'quick');
      expect(keys.length, `bench ${name}: no headline figures`).toBeGreaterThan(0);
      for (const key of keys) {
        const value = summary?.[key];
        if (headlineKeys[name] === undefined && typeof value !== 'number') continue;
        expect(
          typeof value === 'number' && Number.isFinite(value),
          `bench ${name}: "${key}" should be a number, got ${JSON.stringify(value)}`,
        ).toBe(true);
      }
    },
  );
});
