// Real third-party clients against `roma mcp serve --demo`: the MCP Inspector's CLI over stdio, and the official
// conformance suite's server scenarios over streamable HTTP (it needs Node >= 22, fetched from the npm registry).
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDemoTree } from '../dev/index.js';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const INSPECTOR = join(ROOT, 'node_modules/@modelcontextprotocol/inspector-cli/build/cli.js');
const CONFORMANCE = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const BASELINE = fileURLToPath(new URL('./conformance-baseline.yml', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'roma-mcp-clients-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const romaServe = (extra: string[]) => [
  process.execPath,
  '--import',
  TSX,
  MAIN,
  'mcp',
  'serve',
  '--demo',
  '--demo-latency-ms',
  '0',
  ...extra,
];
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  ROMA_DATA_DIR: dataDir,
  ROMA_CACHE_ENABLED: 'false',
};

function node22(): string | null {
  const fetched = spawnSync('bash', [join(ROOT, 'scripts/fetch-node.sh'), '22'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const path = fetched.stdout.trim();
  return fetched.status === 0 && existsSync(path) ? path : null;
}

describe('MCP Inspector CLI (stdio)', { timeout: 120_000 }, () => {
  // inspector-cli 1.0.3 decides where its package.json is by checking `../package.json` against the CURRENT
  // directory; run it from a folder whose parent has one so it reads its own.
  const cwd = join(dataDir, 'inspector', 'cwd');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(dataDir, 'inspector', 'package.json'), '{}');
  const inspect = (args: string[]) => {
    const [command, ...commandArgs] = romaServe([]);
    const envFlags = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
    return spawnSync(process.execPath, [INSPECTOR, '--cli', ...envFlags, command!, ...commandArgs, ...args], {
      cwd,
      encoding: 'utf8',
      timeout: 90_000,
    });
  };

  it('lists the tools, then calls solve and gets the answer', () => {
    const listed = inspect(['--method', 'tools/list']);
    expect(listed.status).toBe(0);
    const tools = (JSON.parse(listed.stdout) as { tools: Array<{ name: string }> }).tools.map(
      (tool) => tool.name,
    );
    expect(tools).toContain('solve');
    const goal = loadDemoTree().goal;
    const called = inspect(['--method', 'tools/call', '--tool-name', 'solve', '--tool-arg', `goal=${goal}`]);
    expect(called.status).toBe(0);
    const result = JSON.parse(called.stdout) as { structuredContent: { status: string; answer: string } };
    expect(result.structuredContent.status).toBe('COMPLETED');
    expect(result.structuredContent.answer.length).toBeGreaterThan(0);
  });
});

describe('official MCP conformance suite, server scenarios (streamable HTTP)', { timeout: 240_000 }, () => {
  it('passes every scenario that applies to any server; the rest are in the baseline with their reason', async (context) => {
    const node = node22();
    if (!node) context.skip('Node 22 could not be fetched from the npm registry (scripts/fetch-node.sh 22)');
    const [command, ...args] = romaServe(['--http', '--port', '0']);
    const server = spawn(command!, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`no URL from roma mcp serve: ${output}`)), 60_000);
        server.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /(http:\/\/\S+\/mcp)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        server.on('exit', () => reject(new Error(`roma mcp serve exited: ${output}`)));
      });
      const outputDir = join(dataDir, 'conformance');
      const run = spawnSync(
        node!,
        [CONFORMANCE, 'server', '--url', url, '--expected-failures', BASELINE, '-o', outputDir],
        {
          encoding: 'utf8',
          timeout: 200_000,
        },
      );
      const summary = run.stdout.slice(run.stdout.indexOf('=== SUMMARY ==='));
      expect(run.status, summary).toBe(0);
      const passed = new Set(
        readdirSync(outputDir)
          .filter((entry) => {
            const checks = JSON.parse(readFileSync(join(outputDir, entry, 'checks.json'), 'utf8')) as Array<{
              status: string;
            }>;
            return checks.length > 0 && checks.every((check) => check.status === 'SUCCESS');
          })
          .map((entry) => entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T.*$/, '')),
      );
      for (const scenario of [
        'server-initialize',
        'ping',
        'tools-list',
        'logging-set-level',
        'dns-rebinding-protection',
        'server-sse-multiple-streams',
      ]) {
        expect(passed, `${scenario} must pass`).toContain(scenario);
      }
    } finally {
      server.kill('SIGTERM');
    }
  });
});
