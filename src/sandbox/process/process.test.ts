// Runs the Sandbox conformance and hostile-code suites against the bubblewrap process provider (skipped,
// with the reason, where bubblewrap is not installed), plus process-only checks.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeHostileSuite } from '../hostile.conformance.js';
import { describeSandboxConformance } from '../sandbox.conformance.js';
import { createProcessSandbox, PROCESS_CAPABILITIES } from './process-sandbox.js';
import { bwrapMissingReason } from './testing/bwrap-missing.js';

const skipReason = bwrapMissingReason();

describeSandboxConformance(
  'process',
  () => createProcessSandbox({ poolSize: 1 }),
  skipReason ? { skipReason } : {},
);
describeHostileSuite(
  'process',
  () => createProcessSandbox({ poolSize: 1 }),
  PROCESS_CAPABILITIES.languages,
  skipReason ? { skipReason } : {},
);

describe('process provider', () => {
  it('says how to install bubblewrap when it is missing, and never runs unsandboxed', () => {
    expect(() => createProcessSandbox({ bwrapPath: '/nonexistent/bwrap' })).toThrow(
      expect.objectContaining({
        code: 'SANDBOX_UNAVAILABLE',
        fix: expect.stringContaining('apt-get install bubblewrap'),
      }),
    );
  });

  it.skipIf(skipReason !== undefined)(
    'runs Node programs with host functions and top-level await',
    async () => {
      const sandbox = createProcessSandbox({ poolSize: 0 });
      const session = await sandbox.openSession({
        hostFunctions: { 'math.add': async (a, b) => Number(a) + Number(b) },
      });
      try {
        const result = await session.run(
          'const sum = await math.add(2, 3); console.log(sum, typeof require)',
          {
            language: 'javascript',
          },
        );
        expect(result.stdout.trim()).toBe('5 function');
        expect(result.exitCode).toBe(0);
      } finally {
        await session.close();
        await sandbox.close();
      }
    },
    30_000,
  );

  it.skipIf(skipReason !== undefined)(
    'supports top-level await and acall in Python',
    async () => {
      const sandbox = createProcessSandbox({ poolSize: 0 });
      const session = await sandbox.openSession({
        hostFunctions: { double: async (value) => Number(value) * 2 },
      });
      try {
        const result = await session.run(
          'import asyncio, roma_host\nvalues = await asyncio.gather(roma_host.acall("double", 1), roma_host.acall("double", 2))\nprint(values)',
        );
        expect(result.stdout.trim()).toBe('[2, 4]');
      } finally {
        await session.close();
        await sandbox.close();
      }
    },
    30_000,
  );

  it.skipIf(skipReason !== undefined)(
    'does not hand the guest a descriptor the host inherited from its own parent',
    async () => {
      // The host (a child here) inherits fd 70 without close-on-exec, as from a CI runner or a shell
      // redirection; what the guest writes to fd 70 must not reach that file.
      const sandboxModule = fileURLToPath(new URL('./process-sandbox.ts', import.meta.url));
      const script = `
        const { createProcessSandbox } = await import(${JSON.stringify(sandboxModule)});
        const sandbox = createProcessSandbox({ poolSize: 0 });
        const session = await sandbox.openSession();
        const probe = { python: 'import os\\ntry:\\n    os.write(70, b"LEAK-python")\\nexcept OSError:\\n    pass\\nprint("ran")',
          javascript: 'try { require("fs").writeSync(70, "LEAK-javascript") } catch {} console.log("ran")' };
        const seen = [];
        for (const language of ['python', 'javascript']) {
          const result = await session.run(probe[language], { language });
          seen.push(language + ':' + result.stdout.trim() + result.stderr.trim());
        }
        await session.close();
        await sandbox.close();
        process.stdout.write(seen.join(' '));
      `;
      // A shell redirection opens fd 70 without close-on-exec; `exec` hands it to the host process.
      const leakFile = join(mkdtempSync(join(tmpdir(), 'roma-fd-leak-')), 'leak.txt');
      writeFileSync(leakFile, '');
      const child = spawn(
        '/bin/bash',
        [
          '-c',
          'exec "$0" --import tsx --input-type=module -e "$1" 70>>"$2"',
          process.execPath,
          script,
          leakFile,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], timeout: 50_000 },
      );
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk) => {
        stdout += String(chunk);
      });
      child.stderr?.on('data', (chunk) => {
        stderr += String(chunk);
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      const leaked = readFileSync(leakFile, 'utf8');
      rmSync(dirname(leakFile), { recursive: true, force: true });
      expect({ code, stdout, stderr: code === 0 ? '' : stderr, leaked }).toEqual({
        code: 0,
        stdout: 'python:ran javascript:ran',
        stderr: '',
        leaked: '',
      });
    },
    60_000,
  );
});
