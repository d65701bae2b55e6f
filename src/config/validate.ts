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

function unknownKeyError(issue: z.core.$ZodIssue & { keys: string[] }, sources: ConfigSources): RomaError {
  const parentPath = issue.path.map(String);
  const key = issue.keys[0] ?? '';
  const path = joinPath([...parentPath, key]);
  const known = knownKeysAt(parentPath);
  const suggestion = closestName(key, known);
  const parentName = parentPath.length ? joinPath(parentPath) : 'the config';
  const fix = suggestion
    ? `did you mean ${joinPath([...parentPath, suggestion])}?`
    : `remove it; ${parentName} accepts: ${known.join(', ') || 'no keys'}`;
  const more = issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).join(', ')})` : '';
  return new RomaError('CONFIG_INVALID', `unknown key${more} (from ${where(sources, path)})`, {
    field: path,
    fix,
  });
}

function valueError(
  issue: z.core.$ZodIssue,
  values: PlainObject,
  sources: ConfigSources,
  extra: number,
): RomaError {
  const path = joinPath(issue.path);
  const value = getAtPath(values, issue.path);
  const leaf = schemaAtPath(issue.path.map(String));
  const info = leaf ? describeLeaf(leaf) : undefined;
  const allowed = info && info.kind !== 'other' ? allowedValuesText(info) : undefined;
  const reason = issue.message.replace(/^Invalid input: /, '');
  const more = extra > 0 ? ` (+${extra} more)` : '';
  return new RomaError(
    'CONFIG_INVALID',
    `${showValue(path, value)} from ${where(sources, path)} is not allowed: ${reason}${more}`,
    { field: path || 'config', fix: allowed ?? 'see roma.config.example.yaml for the allowed form' },
  );
}

/** The config `values` describe, or a CONFIG_INVALID RomaError on the first problem (unknown keys first). */
export function validateConfig(values: PlainObject, sources: ConfigSources): RomaConfig {
  const parsed = RomaConfigSchema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const unknown = issues.find((issue) => issue.code === 'unrecognized_keys');
  if (unknown) throw unknownKeyError(unknown as z.core.$ZodIssue & { keys: string[] }, sources);
  throw valueError(issues[0]!, values, sources, issues.length - 1);
}
