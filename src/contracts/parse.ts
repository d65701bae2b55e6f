// Schema-checked parsing: never trust unchecked input; a failure names the path of the offending field.
import type { z } from 'zod';
import { RomaError } from './errors.js';

export interface ContractIssue {
  /** Dotted path, `tasks[2].goal`; empty for the root. */
  path: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ContractIssue[]; message: string };

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

/** Parses `input` with `schema`, returning a result instead of throwing. `label` names the input in messages. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  label = 'input',
): ParseResult<z.output<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
  const first = issues[0];
  const where = first?.path ? `${label}.${first.path}` : label;
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
  return { ok: false, issues, message: `${where}: ${first?.message ?? 'invalid'}${more}` };
}

/** Like `parseWith` but throws a VALIDATION_FAILED RomaError naming the first offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, label = 'input'): z.output<S> {
  const result = parseWith(schema, input, label);
  if (result.ok) return result.value;
  const field = result.issues[0]?.path || undefined;
  throw new RomaError('VALIDATION_FAILED', result.message, {
    field: field ? `${label}.${field}` : label,
    details: { issues: result.issues },
  });
}

/** JSON.parse then schema-check, as one result. */
export function parseJsonWith<S extends z.ZodType>(
  schema: S,
  text: string,
  label = 'input',
): ParseResult<z.output<S>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = `${label}: not valid JSON (${(error as Error).message})`;
    return { ok: false, issues: [{ path: '', message }], message };
  }
  return parseWith(schema, value, label);
}
