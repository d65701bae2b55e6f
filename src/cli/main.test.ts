// The `roma` entry point as a shell pipeline sees it: a reader that stops early (`| head`) ends it quietly.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

describe('roma main', () => {
  it('ends without a stack trace when its stdout pipe closes early', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'roma-main-'));
    writeFileSync(join(cwd, 'big.js'), 'for (let i = 0; i < 2000; i++) console.log("line " + i);\n');
    try {
      const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, 'sandbox', 'run', 'big.js'], {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // Like `| head -0`: the reader goes away before roma writes anything.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const status = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      expect(stderr).not.toContain('EPIPE');
      expect(stderr).not.toContain('    at ');
      expect(status).toBe(0);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 90_000);
});
