// CI's summary: the tests counted on every Node version run, from the vitest JSON reports .ci/run leaves.
// Usage: node .ci/summary.mjs <reports dir> <major>...   Prints one line per Node version, then the totals line
// ("N passed, N failed[, N skipped]"); exits 1 when anything failed or an expected version left no report.
//
// Reports: node<major>.json (a whole suite) or node<major>-<leg>.json (smoke legs); node<major>.exit holds the
// exit code of that version's run, so a run that failed without a failing test (an unhandled error, a crashed
// worker, an install that never reached the tests) still counts as a failure.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [directory, ...expected] = process.argv.slice(2);
if (!directory) {
  console.error('usage: node .ci/summary.mjs <reports dir> <major>...');
  process.exit(2);
}

const files = readdirSync(directory).sort();
const majorOf = (name) => /^node(\d+)/.exec(name)?.[1];
const versions = new Map();
const versionOf = (major) => {
  if (!versions.has(major)) versions.set(major, { passed: 0, failed: 0, skipped: 0, legs: [], notes: [] });
  return versions.get(major);
};
for (const major of expected) versionOf(major);

for (const name of files.filter((file) => file.endsWith('.json'))) {
  const major = majorOf(name);
  if (!major) continue;
  const version = versionOf(major);
  let report;
  try {
    report = JSON.parse(readFileSync(join(directory, name), 'utf8'));
  } catch {
    version.failed += 1;
    version.notes.push(`${name} unreadable`);
    continue;
  }
  const suites = report.testResults ?? [];
  // A suite that fails to load has no failing test of its own; count it so it cannot pass silently.
  const brokenSuites = suites.filter(
    (suite) => suite.status === 'failed' && (suite.assertionResults ?? []).every((test) => test.status !== 'failed'),
  ).length;
  // The PTC smoke leg picks one test of its file by name; the others are filtered out, not skipped.
  const skipped = name.endsWith('-ptc.json') ? 0 : (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const failed = (report.numFailedTests ?? 0) + brokenSuites;
  version.passed += report.numPassedTests ?? 0;
  version.failed += failed;
  version.skipped += skipped;
  const leg = name.replace(/^node\d+-?/, '').replace(/\.json$/, '') || 'suite';
  version.legs.push(`${leg} ${report.numPassedTests ?? 0}/${failed}`);
}

for (const name of files.filter((file) => file.endsWith('.exit'))) {
  const major = majorOf(name);
  if (!major) continue;
  const version = versionOf(major);
  const code = Number(readFileSync(join(directory, name), 'utf8').trim());
  if (code !== 0 && version.failed === 0) {
    version.failed += 1;
    version.notes.push(`exited ${code} without a failing test (an unhandled error, a crashed worker, a failed install)`);
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const [major, version] of [...versions].sort(([a], [b]) => Number(a) - Number(b))) {
  if (version.legs.length === 0 && version.notes.length === 0) {
    version.failed += 1;
    version.notes.push('no test report');
  }
  totals.passed += version.passed;
  totals.failed += version.failed;
  totals.skipped += version.skipped;
  const counts = `${version.passed} passed, ${version.failed} failed${version.skipped ? `, ${version.skipped} skipped` : ''}`;
  const detail = [version.legs.length ? `legs passed/failed: ${version.legs.join(', ')}` : '', ...version.notes]
    .filter(Boolean)
    .join('; ');
  lines.push(`Node ${major}: ${counts}${detail ? ` (${detail})` : ''}`);
}
console.log(lines.join('\n'));
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
