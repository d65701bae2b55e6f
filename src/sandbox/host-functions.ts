// Host functions: name checks, and one JSON-copying call path shared by every provider's bridge.
import { z } from 'zod';
import { RomaError } from '../contracts/index.js';
import { parseGuestJson } from './guest-json.js';
import type { HostFunctions, JsonValue } from './sandbox.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(['console', 'workspace', 'globalThis', 'setTimeout', 'clearTimeout', 'roma_host']);

/** Largest JSON text a host call may take or return (both directions), so a guest cannot flood the host. */
export const MAX_HOST_CALL_JSON_CHARS = 8_000_000;

/**
 * Deepest nesting of a host call's arguments. Tool arguments are shallow; deeper JSON is refused before it is
 * parsed, because checking it recursively could overflow the host's stack.
 */
export const MAX_HOST_CALL_JSON_DEPTH = 256;

/** Host calls one run may make; beyond it calls fail fast, so a loop cannot hammer the host's tools. */
const MAX_HOST_CALLS_PER_RUN = 10_000;

const TOO_MANY_HOST_CALLS = `this run made more than ${MAX_HOST_CALLS_PER_RUN} host function calls`;

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

type HostCallOutcome = { ok: true; json: string } | { ok: false; error: string };

/**
 * Runs host function `name` on arguments the guest sent as JSON text and answers with JSON text.
 * Never throws or rejects: an unknown name, bad arguments (too long, too deep, lone surrogates, not an
 * array of JSON) or a failing function become `{ ok: false, error }` carrying only a message (no host
 * stack, no host objects).
 */
export async function callHostFunction(
  hostFunctions: HostFunctions,
  name: string,
  argsJson: string,
): Promise<HostCallOutcome> {
  try {
    const fn = Object.hasOwn(hostFunctions, name) ? hostFunctions[name] : undefined;
    if (!fn) return { ok: false, error: `no host function named "${name}"` };
    const parsed = parseGuestJson(JsonArgsSchema, argsJson, `arguments of ${name}`, {
      maxChars: MAX_HOST_CALL_JSON_CHARS,
      maxDepth: MAX_HOST_CALL_JSON_DEPTH,
    });
    if (!parsed.ok) return { ok: false, error: parsed.message };
    const value: JsonValue = await fn(...(parsed.value as JsonValue[]));
    const json = JSON.stringify(value === undefined ? null : value) ?? 'null';
    if (json.length > MAX_HOST_CALL_JSON_CHARS) {
      return { ok: false, error: `result of ${name} exceeds ${MAX_HOST_CALL_JSON_CHARS} chars of JSON` };
    }
    return { ok: true, json };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}

function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'the host function failed';
  }
}

/**
 * Argument JSON of one session's host calls still running, summed: a guest can start thousands of calls at
 * once, each just under MAX_HOST_CALL_JSON_CHARS, and the host keeps every argument until its call ends.
 */
export const MAX_IN_FLIGHT_HOST_CALL_JSON_CHARS = 32_000_000;

const TOO_MUCH_IN_FLIGHT = `host function calls still running hold more than ${MAX_IN_FLIGHT_HOST_CALL_JSON_CHARS} chars of arguments; await some before starting more`;

/** One session's host-call bounds: calls per run, and argument JSON held by calls still running. */
export class HostCallLimiter {
  private callsThisRun = 0;
  private inFlightChars = 0;

  constructor(private readonly hostFunctions: HostFunctions) {}

  startRun(): void {
    this.callsThisRun = 0;
  }

  call(name: string, argsJson: string): Promise<HostCallOutcome> {
    this.callsThisRun++;
    if (this.callsThisRun > MAX_HOST_CALLS_PER_RUN) {
      return Promise.resolve({ ok: false, error: TOO_MANY_HOST_CALLS });
    }
    if (this.inFlightChars + argsJson.length > MAX_IN_FLIGHT_HOST_CALL_JSON_CHARS) {
      return Promise.resolve({ ok: false, error: TOO_MUCH_IN_FLIGHT });
    }
    this.inFlightChars += argsJson.length;
    return callHostFunction(this.hostFunctions, name, argsJson).finally(() => {
      this.inFlightChars -= argsJson.length;
    });
  }

  /**
   * A guest's call, answered through `reply`; nothing here or in `reply` can reject unobserved, because a
   * rejection nobody awaits would end the host process.
   */
  handle(name: string, argsJson: string, reply: (outcome: HostCallOutcome) => void): void {
    this.call(name, argsJson)
      .catch((error: unknown): HostCallOutcome => ({ ok: false, error: errorMessage(error) }))
      .then(reply)
      .catch(() => {});
  }
}
