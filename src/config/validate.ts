// Checks a merged config against the schema; a failure is ONE line naming the key, the value (redacted
// when secret), where it came from and what is allowed.
import type { z } from 'zod';
import { RomaError } from '../contracts/index.js';
import { getAtPath, joinPath, type PlainObject } from './paths.js';
import { type RomaConfig, RomaConfigSchema } from './schema.js';
import { allowedValuesText, describeLeaf, knownKeysAt, schemaAtPath } from './schema-walk.js';
import { redactValue } from './secrets.js';
import { type ConfigSources, describeSource, sourceOf } from './sources.js';
import { closestName } from './suggest.js';

const MAX_SHOWN_VALUE_CHARS = 80;

function showValue(path: string, value: unknown): string {
  if (value === undefined) return '(missing)';
  const shown = JSON.stringify(redactValue(path, value)) ?? String(value);
  return shown.length > MAX_SHOWN_VALUE_CHARS ? `${shown.slice(0, MAX_SHOWN_VALUE_CHARS - 1)}…` : shown;
}

function where(sources: ConfigSources, path: string): string {
  const source = sourceOf(sources, path);
  return source ? describeSource(source) : 'defaults';
}

/** At most this many problems are listed; a config with more is probably not a roma config at all. */
const MAX_LISTED_PROBLEMS = 20;

interface ConfigProblem {
  field: string;
  message: string;
  fix: string;
}

function unknownKeyProblems(
  issue: z.core.$ZodIssue & { keys: string[] },
  sources: ConfigSources,
): ConfigProblem[] {
  const parentPath = issue.path.map(String);
  const known = knownKeysAt(parentPath);
  const parentName = parentPath.length ? joinPath(parentPath) : 'the config';
  return issue.keys.map((key) => {
    const path = joinPath([...parentPath, key]);
    const suggestion = closestName(key, known);
    const fix = suggestion
      ? `did you mean ${joinPath([...parentPath, suggestion])}?`
      : `remove it; ${parentName} accepts: ${known.join(', ') || 'no keys'}`;
    return { field: path, message: `unknown key (from ${where(sources, path)})`, fix };
  });
}

function valueProblem(issue: z.core.$ZodIssue, values: PlainObject, sources: ConfigSources): ConfigProblem {
  const path = joinPath(issue.path);
  const value = getAtPath(values, issue.path);
  const leaf = schemaAtPath(issue.path.map(String));
  const info = leaf ? describeLeaf(leaf) : undefined;
  const allowed = info && info.kind !== 'other' ? allowedValuesText(info) : undefined;
  const reason = issue.message.replace(/^Invalid input: /, '');
  return {
    field: path || 'config',
    message: `${showValue(path, value)} from ${where(sources, path)} is not allowed: ${reason}`,
    fix: allowed ?? 'see roma.config.example.yaml for the allowed form',
  };
}

/**
 * The config `values` describe, or one CONFIG_INVALID RomaError listing EVERY problem (unknown keys first),
 * one per line, so a user fixes them in one pass. `details.problems` carries them for programs.
 */
export function validateConfig(values: PlainObject, sources: ConfigSources): RomaConfig {
  const parsed = RomaConfigSchema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const problems: ConfigProblem[] = [
    ...issues
      .filter((issue) => issue.code === 'unrecognized_keys')
      .flatMap((issue) => unknownKeyProblems(issue as z.core.$ZodIssue & { keys: string[] }, sources)),
    ...issues
      .filter((issue) => issue.code !== 'unrecognized_keys')
      .map((issue) => valueProblem(issue, values, sources)),
  ];
  const first = problems[0]!;
  if (problems.length === 1) {
    throw new RomaError('CONFIG_INVALID', first.message, {
      field: first.field,
      fix: first.fix,
      details: { problems },
    });
  }
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  const hidden = problems.length - listed.length;
  const lines = listed.map((problem) => `  ${problem.field}: ${problem.message} — ${problem.fix}`);
  if (hidden > 0) lines.push(`  … and ${hidden} more`);
  throw new RomaError('CONFIG_INVALID', `${problems.length} problems in the config:\n${lines.join('\n')}`, {
    field: first.field,
    fix: 'fix each line above',
    details: { problems: listed },
  });
}
