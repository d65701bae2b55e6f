// .ci/summary.mjs: CI's summary counts the tests of every Node version it ran, and fails on any failure —
// including a version whose run crashed or left no report at all.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SUMMARY = fileURLToPath(new URL('../../.ci/summary.mjs', import.meta.url));

interface Counts {
  passed: number;
  failed?: number;
  pending?: number;
  /** A suite that failed to load (no failing test of its own). */
  brokenSuite?: boolean;
}

function report({ passed, failed = 0, pending = 0, brokenSuite = false }: Counts): string {
  return JSON.stringify({
    numPassedTests: passed,
    numFailedTests: failed,
    numPendingTests: pending,
    numTodoTests: 0,
    testResults: brokenSuite ? [{ status: 'failed', assertionResults: [] }] : [],
  });
}

let directory: string | undefined;
afterEach(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
});

function summarize(files: Record<string, string>, majors = ['20', '22', '24']) {
  directory = mkdtempSync(join(tmpdir(), 'roma-ci-summary-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  const run = spawnSync(process.execPath, [SUMMARY, directory, ...majors], { encoding: 'utf8' });
  const lines = run.stdout.trim().split('\n');
  return { status: run.status, lines, totals: lines.at(-1) };
}

const GREEN = {
  'node20.json': report({ passed: 2900, pending: 30 }),
  'node20.exit': '0',
  'node22-smoke.json': report({ passed: 120, pending: 2 }),
  // The PTC leg runs one test of its file by name: the rest are filtered out, not skipped.
  'node22-ptc.json': report({ passed: 1, pending: 14 }),
  'node22.exit': '0',
  'node24-smoke.json': report({ passed: 121, pending: 1 }),
  'node24-ptc.json': report({ passed: 1, pending: 14 }),
  'node24.exit': '0',
};

describe('.ci/summary.mjs', () => {
  it('prints a line counting the tests of each Node version, then the totals, and exits 0 when all pass', () => {
    const { status, lines, totals } = summarize(GREEN);
    expect(status).toBe(0);
    expect(lines[0]).toMatch(/^Node 20: 2900 passed, 0 failed, 30 skipped/);
    expect(lines[1]).toMatch(/^Node 22: 121 passed, 0 failed, 2 skipped/);
    expect(lines[2]).toMatch(/^Node 24: 122 passed, 0 failed, 1 skipped/);
    expect(totals).toBe('3143 passed, 0 failed, 33 skipped');
  });

  it('counts failing tests and suites that failed to load on the version they ran on', () => {
    const { status, lines, totals } = summarize({
      ...GREEN,
      'node22-smoke.json': report({ passed: 118, failed: 2, brokenSuite: true }),
      'node22.exit': '1',
    });
    expect(status).toBe(1);
    expect(lines[1]).toMatch(/^Node 22: 119 passed, 3 failed/);
    expect(totals).toMatch(/^3141 passed, 3 failed/);
  });

  it('fails a version whose run exited non-zero without a failing test, once', () => {
    const { status, lines } = summarize({ ...GREEN, 'node20.exit': '1', 'node24.exit': '134' });
    expect(status).toBe(1);
    expect(lines[0]).toMatch(
      /^Node 20: 2900 passed, 1 failed, 30 skipped \(.*exited 1 without a failing test/,
    );
    expect(lines[2]).toMatch(/^Node 24: 122 passed, 1 failed/);
  });

  it('fails a version it expected that left no report (Node not fetched, install failed before writing one)', () => {
    const withoutNode24 = Object.fromEntries(
      Object.entries(GREEN).filter(([name]) => !name.startsWith('node24')),
    );
    const { status, lines, totals } = summarize(withoutNode24);
    expect(status).toBe(1);
    expect(lines[2]).toMatch(/^Node 24: 0 passed, 1 failed \(no test report\)/);
    expect(totals).toBe('3021 passed, 1 failed, 32 skipped');
    // Without Node 22/24 asked for (ROMA_CI_NODE_MAJORS=""), only Node 20 is counted, and it passes.
    const only20 = summarize({ 'node20.json': GREEN['node20.json'], 'node20.exit': '0' }, ['20']);
    expect(only20.status).toBe(0);
    expect(only20.lines).toEqual([
      'Node 20: 2900 passed, 0 failed, 30 skipped (legs passed/failed: suite 2900/0)',
      '2900 passed, 0 failed, 30 skipped',
    ]);
  });
});
