// The official MCP conformance client scenarios (needs Node >= 22) against our MCP client layer, with a baseline.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

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

const PASSING = ['initialize', 'tools_call', 'sse-retry'];
const EXPECTED_FAILURES = [
  'auth/metadata-default',
  'auth/token-endpoint-auth-basic',
  'auth/pre-registration',
];

describe.skipIf(node === null)('MCP conformance client scenarios (Node 22)', { timeout: 120_000 }, () => {
  function run(scenario: string) {
    return spawnSync(
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
      ],
      { cwd: workDirectory, encoding: 'utf8', timeout: 100_000 },
    );
  }

  it.each(PASSING)('%s passes', (scenario) => {
    const result = run(scenario);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('OVERALL: PASSED');
  });

  it.each(EXPECTED_FAILURES)(
    '%s fails as the baseline says (exit 0; it would fail the run once it passes)',
    (scenario) => {
      const result = run(scenario);
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
      const output = `${result.stdout}${result.stderr}`;
      expect(output).toContain('Expected failures (in baseline)');
      expect(output).toContain(`~ ${scenario}`);
    },
  );
});
