// `roma dev scripted-model` as a user runs it: prints the base URLs, answers from the script, stops on a signal.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScriptFile, startScriptedModelServer } from '../../dev/scripted-model/index.js';
import { runRomaAsync } from './cli-test-support.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('roma dev scripted-model', () => {
  it('serves the example script until it is stopped', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'dev',
        'scripted-model',
        '--script',
        'examples/scripted-model.example.yaml',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect
        .poll(() => /OpenAI chat completions: (\S+)/.exec(output)?.[1], { timeout: 20_000 })
        .toBeTruthy();
      const openaiBaseUrl = /OpenAI chat completions: (\S+)/.exec(output)?.[1];
      expect(output).toMatch(/Anthropic messages:\s+http:\/\/127\.0\.0\.1:\d+\/v1/);
      const response = await fetch(`${openaiBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'answer in JSON' }] }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
      expect(JSON.parse(body.choices[0]?.message.content ?? '')).toEqual({ answer: '42', confidence: 0.9 });
    } finally {
      child.kill('SIGTERM');
    }
    const code = await Promise.race([
      exited,
      new Promise((resolve) => setTimeout(() => resolve('hung'), 10_000)),
    ]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code).toBe(0);
    expect(output).toContain('stopped after 1 request(s)');
    // Starting the CLI through tsx on a loaded machine can take a while; the poll above bounds the wait.
  }, 60_000);

  it('lets `roma solve` answer a goal with the example script, as its header says', async () => {
    const script = loadScriptFile(join(root, 'examples/scripted-model.example.yaml'));
    const server = await startScriptedModelServer({ rules: script.rules });
    const cwd = mkdtempSync(join(tmpdir(), 'roma-dev-example-'));
    try {
      const solved = await runRomaAsync(['solve', 'Say hello', '--model', 'openai:scripted'], {
        cwd,
        env: { OPENAI_API_KEY: 'any', OPENAI_BASE_URL: server.openaiBaseUrl },
      });
      expect(solved.stderr).not.toContain('FAILED');
      expect(solved.status).toBe(0);
      expect(solved.stdout).toContain('This is the scripted model.');
      expect(solved.stdout).toContain('COMPLETED');
    } finally {
      await server.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 90_000);

  it("accepts the demo's own task-tree script, so `roma solve` answers the demo goal with it", async () => {
    const script = loadScriptFile(join(root, 'examples/demo/sky.json'));
    expect(script.goal).toContain('why is the sky blue');
    const server = await startScriptedModelServer({ rules: script.rules, latencyMs: 0 });
    const cwd = mkdtempSync(join(tmpdir(), 'roma-dev-demo-script-'));
    try {
      const solved = await runRomaAsync(
        ['solve', script.goal ?? '', '--model', 'openai:scripted', '--max-depth', '2'],
        { cwd, env: { OPENAI_API_KEY: 'any', OPENAI_BASE_URL: server.openaiBaseUrl } },
      );
      expect(solved.status, solved.stderr).toBe(0);
      expect(solved.stdout).toContain('Why the sky is blue and sunsets are red');
      expect(solved.stdout).toContain('COMPLETED');
    } finally {
      await server.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 90_000);

  it('names the offending field of a bad script', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'dev', 'scripted-model', '--script', 'package.json'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let errorOutput = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errorOutput += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 20_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).toBe(1);
    expect(errorOutput).toContain('VALIDATION_FAILED');
    expect(errorOutput).toContain('package.json');
  });
});
