// The ptc-tokens benchmark's quick mode (what CI runs): it ends with the headline JSON line, answers correct.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

describe('bench ptc-tokens --quick', { timeout: 300_000 }, () => {
  it('prints the figures and ends with one JSON line of headline figures', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'ptc-tokens', '--quick'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 280_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({
      bench: 'ptc-tokens',
      tasks: 4,
      tokenizer: 'o200k_base',
      correctAnswers: { direct: 4, code: 4 },
      quick: true,
    });
    // Code mode wins on data-heavy tasks and loses on a small one: there is a crossover.
    expect(summary.medianContextReduction as number).toBeGreaterThan(0.5);
    expect((summary.smallTaskReductions as number[])[0]).toBeLessThan(0);
    expect(summary.crossoverResultBytes as number).toBeGreaterThan(0);
    expect(summary.toolSearchDefinitionTokens as number).toBeLessThan(
      summary.listedCatalogPromptTokens as number,
    );
    expect(run.stdout).toMatch(/task +calls +tool KB +direct tok/);
    // Where code mode's tokens go, by part; the parts add up to about the code total of the data-heavy tasks.
    expect(run.stdout).toMatch(
      /turn +systemPrompt +toolListing +task +toolDocs +program +programOutput +errorFeedback/,
    );
    const parts = summary.codeBreakdown as Record<string, number>;
    expect(Object.keys(parts)).toEqual([
      'systemPrompt',
      'toolListing',
      'task',
      'toolDocs',
      'program',
      'programOutput',
      'errorFeedback',
    ]);
    for (const part of ['systemPrompt', 'toolListing', 'task', 'toolDocs', 'program', 'errorFeedback'])
      expect(parts[part], part).toBeGreaterThan(0);
    const cacheable = summary.cacheablePrefixTokens as { direct: number; code: number };
    expect(cacheable.code).toBeGreaterThan(0);
    expect(cacheable.direct).toBeGreaterThan(0);
  });
});
