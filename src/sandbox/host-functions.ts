// Host functions: name checks, and one JSON-copying call path shared by every provider's bridge.
import { z } from 'zod';
import { parseJsonWith, RomaError } from '../contracts/index.js';
import type { HostFunctions, JsonValue } from './sandbox.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(['console', 'workspace', 'globalThis', 'setTimeout', 'clearTimeout', 'roma_host']);

/** Largest JSON text a host call may take or return (both directions), so a guest cannot flood the host. */
export const MAX_HOST_CALL_JSON_CHARS = 8_000_000;

/** Host calls one run may make; beyond it calls fail fast, so a loop cannot hammer the host's tools. */
export const MAX_HOST_CALLS_PER_RUN = 10_000;

export const TOO_MANY_HOST_CALLS = `this run made more than ${MAX_HOST_CALLS_PER_RUN} host function calls`;

/** Throws VALIDATION_FAILED naming the first host function whose name the guest could not call. */
export function assertHostFunctionNames(hostFunctions: HostFunctions | undefined): string[] {
  const names = Object.keys(hostFunctions ?? {});
  for (const name of names) {
    const segments = name.split('.');
    if (!segments.every((segment) => IDENTIFIER.test(segment)) || RESERVED.has(segments[0] ?? '')) {
      throw new RomaError(
        'VALIDATION_FAILED',
        `host function name "${name}" is not callable from guest code`,
        {
          field: `hostFunctions.${name}`,
          fix: 'use identifiers separated by dots, e.g. github.search_issues, and avoid console/workspace',
        },
      );
    }
  }
  return names;
}

const JsonArgsSchema = z.array(z.json());

export type HostCallOutcome = { ok: true; json: string } | { ok: false; error: string };

/**
 * Runs host function `name` on arguments the guest sent as JSON text and answers with JSON text.
 * Never throws: an unknown name, bad arguments or a failing function become `{ ok: false, error }`
 * carrying only a message (no host stack, no host objects).
 */
export async function callHostFunction(
  hostFunctions: HostFunctions,
  name: string,
  argsJson: string,
): Promise<HostCallOutcome> {
  const fn = Object.hasOwn(hostFunctions, name) ? hostFunctions[name] : undefined;
  if (!fn) return { ok: false, error: `no host function named "${name}"` };
  if (argsJson.length > MAX_HOST_CALL_JSON_CHARS) {
    return { ok: false, error: `arguments of ${name} exceed ${MAX_HOST_CALL_JSON_CHARS} chars of JSON` };
  }
  const parsed = parseJsonWith(JsonArgsSchema, argsJson, `${name} arguments`);
  if (!parsed.ok) return { ok: false, error: parsed.message };
  try {
    const value: JsonValue = await fn(...(parsed.value as JsonValue[]));
    const json = JSON.stringify(value === undefined ? null : value);
    if (json.length > MAX_HOST_CALL_JSON_CHARS) {
      return { ok: false, error: `result of ${name} exceeds ${MAX_HOST_CALL_JSON_CHARS} chars of JSON` };
    }
    return { ok: true, json };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
