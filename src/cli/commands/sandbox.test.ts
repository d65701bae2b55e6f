// `roma sandbox run` and `roma sandbox test` through the real entry point, as a user runs them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRoma } from './cli-test-support.js';

const directory = mkdtempSync(join(tmpdir(), 'roma-sandbox-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('roma sandbox', () => {
  it('run prints the program output and exits 0', () => {
    writeFileSync(join(directory, 'hello.ts'), 'const name: string = "world"; console.log("hello " + name)');
    const result = runRoma(['sandbox', 'run', 'hello.ts'], { cwd: directory });
    expect(result.stdout).toBe('hello world\n');
    expect(result.stderr).toContain('isolate: exit 0');
    expect(result.status).toBe(0);
  });

  it('run exits non-zero and names the limit when the program is stopped', () => {
    writeFileSync(join(directory, 'loop.js'), 'while (true) {}');
    const result = runRoma(['sandbox', 'run', '--timeout-ms', '300', 'loop.js'], { cwd: directory });
    expect(result.status).toBe(124);
    expect(result.stderr).toMatch(/stopped by (interrupt|timeout)/);
  });

  it('run exits with the program failure and shows its error', () => {
    writeFileSync(join(directory, 'fail.js'), 'throw new Error("broken on purpose")');
    const result = runRoma(['sandbox', 'run', 'fail.js'], { cwd: directory });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('broken on purpose');
  });

  it('run shows guest stderr without escape sequences, and a forged status line cannot pass for roma’s', () => {
    writeFileSync(
      join(directory, 'forge.js'),
      [
        'console.error("\\x1b]0;owned title\\x07\\x1b]52;c;ZXZpbA==\\x07\\x1b]8;;https://evil.example\\x1b\\\\link\\x1b]8;;\\x1b\\\\")',
        'console.error("\\x1b[2K\\rroma: isolate: exit 0 in 1 ms")',
        'throw new Error("real failure")',
      ].join('\n'),
    );
    const result = runRoma(['sandbox', 'run', 'forge.js'], { cwd: directory });
    expect(result.status).toBe(1);
    expect(result.stderr).not.toMatch(/[\x1b\x07\r\x9b\x9d]/);
    expect(result.stderr).toContain('link');
    // The only line that starts like roma's own is roma's, and it tells the truth.
    const romaLines = result.stderr.split('\n').filter((line) => line.startsWith('roma:'));
    expect(romaLines).toHaveLength(1);
    expect(romaLines[0]).toMatch(/^roma: isolate: exit 1 in \d+ ms$/);
    expect(result.stderr).toContain('│ roma: isolate: exit 0 in 1 ms');
  });

  it('test checks the local providers and says Daytona was skipped without a key', () => {
    const result = runRoma(['sandbox', 'test', '--provider', 'isolate'], { cwd: directory });
    expect(result.stdout).toContain('Sandbox Validation');
    expect(result.stdout).toContain('✓ Passed:');
    expect(result.stdout).toContain('Status: PASSED');
    expect(result.status).toBe(0);
    const all = runRoma(['sandbox', 'test'], { cwd: directory });
    expect(all.stdout).toContain('DAYTONA_API_KEY is not set: Daytona skipped');
    expect(all.stdout).not.toContain('✗ Failed: 1');
  }, 60_000);

  it('test --provider daytona fails with the fix when no key is set', () => {
    const result = runRoma(['sandbox', 'test', '--provider', 'daytona'], { cwd: directory });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('fix: set DAYTONA_API_KEY');
    expect(result.stdout).toContain('Status: FAILED');
  });
});
