// The message that tells the model what its program did: exit code, bounded output, files, test verdict.
import type { TestResult } from '../../contracts/index.js';
import { truncationMarker } from '../../contracts/index.js';
import type { SandboxRunResult } from '../../sandbox/sandbox.js';

/** Names listed back to the model, and characters kept of each: a program chooses how many and how long. */
const MAX_REPORTED_FILES = 20;
const MAX_REPORTED_FILE_NAME_CHARS = 200;

function filesLine(files: readonly string[]): string {
  const shown = files
    .slice(0, MAX_REPORTED_FILES)
    .map((file) =>
      file.length <= MAX_REPORTED_FILE_NAME_CHARS
        ? file
        : `${file.slice(0, MAX_REPORTED_FILE_NAME_CHARS)}${truncationMarker(file.length - MAX_REPORTED_FILE_NAME_CHARS).trimStart()}`,
    );
  const more = files.length - shown.length;
  return `Files written (${files.length}): ${shown.join(', ')}${more > 0 ? `, and ${more} more` : ''}`;
}

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
  if (files.length > 0) lines.push(filesLine(files));
  if (test) lines.push(test.passed ? 'Test: passed' : `Test: FAILED — ${test.message ?? ''}`);
  return lines.join('\n');
}
