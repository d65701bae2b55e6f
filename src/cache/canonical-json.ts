// Canonical JSON: one byte-exact text per value (sorted keys, no undefined), so equal requests hash equally.
import { createHash } from 'node:crypto';

/**
 * Turns a value into plain JSON data with object keys sorted. `undefined` members vanish (an absent option
 * and an option set to undefined mean the same request); bytes become their SHA-256 (a large image must not
 * bloat the key text); dates and URLs become strings; functions, symbols and AbortSignals are dropped.
 */
function canonicalize(value: unknown, depth = 0): unknown {
  if (depth > 200) throw new Error('value nested deeper than 200 levels');
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return `${value.toString()}n`;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value instanceof Uint8Array) return { $bytesSha256: sha256Hex(value) };
  if (value instanceof ArrayBuffer) return { $bytesSha256: sha256Hex(new Uint8Array(value)) };
  if (value instanceof Date) return value.toISOString();
  if (value instanceof URL) return value.toString();
  if (typeof AbortSignal !== 'undefined' && value instanceof AbortSignal) return undefined;
  if (Array.isArray(value)) {
    return value.map((item) => {
      const canonical = canonicalize(item, depth + 1);
      // JSON arrays keep their length: a dropped member becomes null, as JSON.stringify does.
      return canonical === undefined ? null : canonical;
    });
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value as object).sort()) {
    const canonical = canonicalize((value as Record<string, unknown>)[key], depth + 1);
    if (canonical !== undefined) out[key] = canonical;
  }
  return out;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value)) ?? 'null';
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
