// The `roma` entry point as a shell pipeline sees it: a reader that stops early (`| head`) ends it quietly.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnRoma } from './commands/cli-test-support.js';

describe('roma main', () => {
  it('ends without a stack trace when its stdout pipe closes early', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'roma-main-'));
    writeFileSync(join(cwd, 'big.js'), 'for (let i = 0; i < 2000; i++) console.log("line " + i);\n');
    try {
      const run = spawnRoma(['sandbox', 'run', 'big.js'], { cwd });
      // Like `| head -0`: the reader goes away before roma writes anything.
      run.child.stdout?.destroy();
      const { status, stderr } = await run.finished;
      expect(stderr).not.toContain('EPIPE');
      expect(stderr).not.toContain('    at ');
      expect(status).toBe(0);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 90_000);
});
