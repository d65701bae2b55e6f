// Runs the Sandbox conformance and hostile-code suites against the bubblewrap process provider (skipped,
// with the reason, where bubblewrap is not installed), plus process-only checks.
import { describe, expect, it } from 'vitest';
import { isRomaError } from '../../contracts/index.js';
import { describeHostileSuite } from '../hostile.conformance.js';
import { describeSandboxConformance } from '../sandbox.conformance.js';
import { probeBubblewrap, resolveBwrap } from './environment.js';
import { createProcessSandbox } from './process-sandbox.js';

function bwrapMissingReason(): string | undefined {
  try {
    const probe = probeBubblewrap(resolveBwrap());
    return probe.ok ? undefined : `${probe.detail} — ${probe.fix}`;
  } catch (error) {
    return isRomaError(error) ? `${error.message} — ${error.fix}` : String(error);
  }
}
const skipReason = bwrapMissingReason();

describeSandboxConformance(
  'process',
  () => createProcessSandbox({ poolSize: 1 }),
  skipReason ? { skipReason } : {},
);
describeHostileSuite(
  'process',
  () => createProcessSandbox({ poolSize: 1 }),
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
});
