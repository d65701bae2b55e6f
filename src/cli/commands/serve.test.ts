// `roma serve` in a child process: the banner, /health in demo mode, a run started over HTTP, a clean stop;
// and no start on a non-loopback address without API keys.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runRoma } from './cli-test-support.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'roma-serve-'));
const env = { ROMA_DATA_DIR: join(dataDir, 'data'), ROMA_CACHE_ENABLED: 'false', ROMA_LOG_LEVEL: 'warn' };

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('roma serve', { timeout: 120_000 }, () => {
  it('--demo says so in its banner and /health, runs the demo over the API, and stops on SIGTERM', async () => {
    const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(
      process.execPath,
      ['--import', tsxLoader, MAIN, 'serve', '--demo', '--port', '0', '--latency-ms', '0'],
      {
        cwd: dataDir,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /roma serve — (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match && stdout.includes('\n')) resolve(match[1]!);
      });
      child.on('close', () => reject(new Error(`serve exited: ${stdout}${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(stdout).toContain('no API keys (ROMA_API_KEYS unset): listening on loopback only');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stdout).toContain('DEMO: the model is SCRIPTED');
    const health = (await (await fetch(`${url}/health`)).json()) as { demo: boolean; demoGoal: string };
    expect(health.demo).toBe(true);
    const started = await fetch(`${url}/api/v1/executions`, {
      method: 'POST',
      body: JSON.stringify({ goal: health.demoGoal }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    let status = 'RUNNING';
    for (let attempt = 0; attempt < 400 && status === 'RUNNING'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = ((await (await fetch(`${url}/api/v1/executions/${id}`)).json()) as { status: string }).status;
    }
    expect(status).toBe('COMPLETED');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    clearTimeout(killer);
  });

  it('refuses a non-loopback address without ROMA_API_KEYS, saying how to fix it', () => {
    const run = runRoma(['serve', '--host', '0.0.0.0', '--port', '0'], { cwd: dataDir, env });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('refusing to listen on 0.0.0.0 without API keys');
    expect(run.stderr).toContain('ROMA_API_KEYS');
  });
});
