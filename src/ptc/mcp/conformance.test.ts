// The official MCP conformance client scenarios (needs Node >= 22) against our MCP client layer, with a baseline.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
const suite = join(root, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const adapter = join(root, 'test/support/mcp-conformance/client.ts');
const baseline = join(root, 'test/support/mcp-conformance/baseline.yml');
const tsx = pathToFileURL(require.resolve('tsx')).href;

function node22(): string | null {
  try {
    return execFileSync('bash', [join(root, 'scripts/fetch-node.sh'), '22'], {
      encoding: 'utf8',
      timeout: 120_000,
    }).trim();
  } catch {
    return null;
  }
}

const node = node22();
const workDirectory = mkdtempSync(join(tmpdir(), 'roma-mcp-conformance-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

/** Checks the client's reconnect delay against the server's `retry`: run alone, not beside other scenarios. */
const TIMING_SENSITIVE = ['sse-retry'];
const PASSING = [
  'initialize',
  'tools_call',
  // OAuth, authorization_code: the run's error names `roma tools auth`; the adapter then runs that flow with
  // the suite's authorization page (which redirects at once) as the person.
  'auth/metadata-default',
  'auth/metadata-var1',
  'auth/metadata-var2',
  'auth/metadata-var3',
  'auth/scope-from-www-authenticate',
  'auth/scope-from-scopes-supported',
  'auth/scope-omitted-when-undefined',
  'auth/scope-step-up',
  'auth/scope-retry-limit',
  'auth/token-endpoint-auth-basic',
  'auth/token-endpoint-auth-post',
  'auth/token-endpoint-auth-none',
  'auth/2025-03-26-oauth-metadata-backcompat',
  'auth/2025-03-26-oauth-endpoint-fallback',
  'auth/resource-mismatch',
  'auth/offline-access-scope',
  'auth/offline-access-not-supported',
  // OAuth, client_credentials with configured (pre-registered) credentials: no person at all; a secret, or a
  // signed assertion (private_key_jwt, `oauth.privateKey`).
  'auth/client-credentials-basic',
  'auth/client-credentials-jwt',
  'auth/pre-registration',
];
/** Each with its reason in the baseline file. */
const EXPECTED_FAILURES = [
  'elicitation-sep1034-client-defaults',
  'auth/basic-cimd',
  'auth/cross-app-access-complete-flow',
];

it('the baseline file lists exactly the expected failures (each with its reason there)', () => {
  const listed = (parse(readFileSync(baseline, 'utf8')) as { client: string[] }).client;
  expect([...listed].sort()).toEqual([...EXPECTED_FAILURES].sort());
});

/** Runs one scenario; each spawns the suite and our adapter, so scenarios run a few at a time (concurrent). */
function run(scenario: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      node!,
      [
        suite,
        'client',
        '--command',
        `${process.execPath} --import ${tsx} ${adapter}`,
        '--scenario',
        scenario,
        '--expected-failures',
        baseline,
        // The suite's 30 s default for the client is too short on a loaded shared machine.
        '--timeout',
        '120000',
      ],
      { cwd: workDirectory, timeout: 180_000 },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe.skipIf(node === null)('MCP conformance client scenarios, one at a time (Node 22)', () => {
  it.each(TIMING_SENSITIVE)('%s passes', { timeout: 200_000 }, async (scenario) => {
    const result = await run(scenario);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('OVERALL: PASSED');
  });
});

describe
  .skipIf(node === null)
  .concurrent('MCP conformance client scenarios (Node 22)', { timeout: 200_000 }, () => {
    it.each(PASSING)('%s passes', async (scenario) => {
      const result = await run(scenario);
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(`${result.stdout}${result.stderr}`).toContain('OVERALL: PASSED');
    });

    it.each(EXPECTED_FAILURES)(
      '%s fails as the baseline says (exit 0; it would fail the run once it passes)',
      async (scenario) => {
        const result = await run(scenario);
        expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
        const output = `${result.stdout}${result.stderr}`;
        expect(output).toContain('Expected failures (in baseline)');
        expect(output).toContain(`~ ${scenario}`);
      },
    );
  });
