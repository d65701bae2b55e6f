// The message that tells the model what its program did: exit code, bounded output, files, test verdict.
import type { TestResult } from '../../contracts/index.js';
import type { SandboxRunResult } from '../../sandbox/sandbox.js';

export function runReport(
  iteration: number,
  run: SandboxRunResult,
  stdout: string,
  stderr: string,
  test: TestResult | null,
) {
  const lines = [
    `Run ${iteration}: exit code ${run.exitCode}${run.stoppedBy ? ` (stopped by ${run.stoppedBy} limit)` : ''}`,
    'stdout:',
    stdout || '(nothing printed)',
  ];
  if (stderr) lines.push('stderr:', stderr);
  const files = run.filesCreated.filter((file) => file.startsWith('results/'));
  if (files.length > 0) lines.push(`Files written: ${files.join(', ')}`);
  if (test) lines.push(test.passed ? 'Test: passed' : `Test: FAILED — ${test.message ?? ''}`);
  return lines.join('\n');
}
