// Reads a request's JSON body and query through the zod contracts; a failure is VALIDATION_FAILED naming the field.
import type { z } from 'zod';
import { parseWith, RomaError } from '../contracts/index.js';

function invalid(label: string, result: { issues: Array<{ path: string }>; message: string }): RomaError {
  const path = result.issues[0]?.path;
  return new RomaError('VALIDATION_FAILED', result.message, {
    field: path ? `${label}.${path}` : label,
    fix: 'see the request schema in /openapi.json',
  });
}

/** An empty body is `{}` when `emptyIsObject` (optional bodies of cancel and resume). */
export function parseJsonBody<S extends z.ZodType>(
  schema: S,
  text: string,
  options: { emptyIsObject?: boolean } = {},
): z.output<S> {
  let value: unknown;
  if (text.trim() === '' && options.emptyIsObject) value = {};
  else {
    try {
      value = JSON.parse(text);
    } catch {
      throw new RomaError('VALIDATION_FAILED', 'body: not valid JSON', {
        field: 'body',
        fix: 'send a JSON object with Content-Type: application/json',
      });
    }
  }
  const result = parseWith(schema, value, 'body');
  if (!result.ok) throw invalid('body', result);
  return result.value;
}

/** Query parameters (the last value of a repeated one) checked by `schema`. */
export function parseQuery<S extends z.ZodType>(schema: S, url: string): z.output<S> {
  const params = new URL(url).searchParams;
  const object: Record<string, string> = {};
  for (const [key, value] of params) object[key] = value;
  const result = parseWith(schema, object, 'query');
  if (!result.ok) throw invalid('query', result);
  return result.value;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/** Execution ids are plain tokens; anything else is a 400 rather than a store lookup. */
export function checkExecutionId(id: string): string {
  if (!ID_PATTERN.test(id)) {
    throw new RomaError('VALIDATION_FAILED', 'executionId: not a valid execution id', {
      field: 'executionId',
      fix: 'use an id from GET /api/v1/executions',
    });
  }
  return id;
}
