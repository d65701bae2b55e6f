// SHA-256 of a value's canonical JSON, streamed into the hash: the digest of `canonicalJson`, without its text.
import * as crypto from 'node:crypto';
import { createHash, type Hash } from 'node:crypto';
import { sha256Hex } from './canonical-json.js';

/** A string this long goes to the hash as it is; shorter pieces are gathered first (each update has a fixed cost). */
const DIRECT_UPDATE_CHARS = 4_096;
const GATHERED_LIMIT_CHARS = 16_384;
const MAX_DEPTH = 200;
// What JSON.stringify escapes: the quote, the backslash, control characters and (lone) surrogates.
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;
const ESCAPED_CHARACTER = /["\\\u0000-\u001f\ud800-\udfff]/g;
const SHORT_ESCAPES = new Map([
  ['"', '\\"'],
  ['\\', '\\\\'],
  ['\b', '\\b'],
  ['\f', '\\f'],
  ['\n', '\\n'],
  ['\r', '\\r'],
  ['\t', '\\t'],
]);
// An array index (0 … 2³² − 2): such keys enumerate first, in numeric order, in any object JSON.stringify writes.
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;
const MAX_ARRAY_INDEX = 4_294_967_294;

/**
 * The same hex digest as `sha256Hex(canonicalJson(value))`, byte for byte, so keys do not change. The text is
 * never built: a 512 KB prompt's long strings go to the hash as they are (JSON.stringify's result would be a
 * rope that has to be flattened and copied again before it can be hashed).
 */
export function canonicalSha256Hex(value: unknown): string {
  const writer = new CanonicalHashWriter();
  if (!writer.value(value, 0)) writer.write('null');
  return writer.digestHex();
}

/** True when `canonicalize` drops the value (an object member vanishes, an array item becomes null). */
function isDropped(value: unknown): boolean {
  const type = typeof value;
  if (type === 'undefined' || type === 'function' || type === 'symbol') return true;
  return typeof AbortSignal !== 'undefined' && value instanceof AbortSignal;
}

function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  if (!(first >= 48 && first <= 57)) return false;
  return ARRAY_INDEX.test(key) && Number(key) <= MAX_ARRAY_INDEX;
}

/** JSON.stringify's escape of one character (a surrogate that has its pair is kept as it is). */
function escapeCharacter(character: string, offset: number, text: string): string {
  const short = SHORT_ESCAPES.get(character);
  if (short !== undefined) return short;
  const code = character.charCodeAt(0);
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(offset + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return character;
  } else if (code >= 0xdc00 && code <= 0xdfff) {
    const previous = text.charCodeAt(offset - 1);
    if (previous >= 0xd800 && previous <= 0xdbff) return character;
  }
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Sorted keys in the order JSON.stringify writes an object built by inserting them sorted. */
function keysInWrittenOrder(object: object): string[] {
  const keys = Object.keys(object).sort();
  if (!keys.some(isArrayIndex)) return keys;
  const indices = keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...keys.filter((key) => !isArrayIndex(key))];
}

// One-shot hashing (Node ≥ 20.12) is cheaper for a text that never outgrew the gathered string.
const hashOnce = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;

class CanonicalHashWriter {
  #hash: Hash | undefined;
  #gathered = '';

  write(text: string): void {
    if (text.length >= DIRECT_UPDATE_CHARS) {
      this.#flush();
      this.#started().update(text);
      return;
    }
    this.#gathered += text;
    if (this.#gathered.length >= GATHERED_LIMIT_CHARS) this.#flush();
  }

  digestHex(): string {
    if (this.#hash === undefined && hashOnce !== undefined) return hashOnce('sha256', this.#gathered);
    this.#flush();
    return this.#started().digest('hex');
  }

  /** Writes the canonical JSON of `value`, or nothing (returning false) when `canonicalize` would drop it. */
  value(value: unknown, depth: number): boolean {
    if (depth > MAX_DEPTH) throw new Error('value nested deeper than 200 levels');
    if (value === null) {
      this.write('null');
      return true;
    }
    switch (typeof value) {
      case 'string':
        this.#string(value);
        return true;
      case 'boolean':
        this.write(value ? 'true' : 'false');
        return true;
      case 'number':
        if (Number.isFinite(value)) this.write(String(value));
        else this.#string(String(value));
        return true;
      case 'bigint':
        this.#string(`${value.toString()}n`);
        return true;
      case 'undefined':
      case 'function':
      case 'symbol':
        return false;
      default:
        break;
    }
    if (value instanceof Uint8Array) return this.#bytes(value);
    if (value instanceof ArrayBuffer) return this.#bytes(new Uint8Array(value));
    if (value instanceof Date) {
      this.#string(value.toISOString());
      return true;
    }
    if (value instanceof URL) {
      this.#string(value.toString());
      return true;
    }
    if (isDropped(value)) return false;
    if (Array.isArray(value)) {
      this.write('[');
      for (let index = 0; index < value.length; index += 1) {
        if (index > 0) this.write(',');
        if (!this.value(value[index], depth + 1)) this.write('null');
      }
      this.write(']');
      return true;
    }
    this.write('{');
    let first = true;
    for (const key of keysInWrittenOrder(value as object)) {
      // canonicalize's `out[key] =` cannot create an own `__proto__`, so that member never reaches its text.
      if (key === '__proto__') continue;
      const member = (value as Record<string, unknown>)[key];
      if (isDropped(member)) continue;
      this.write(first ? '' : ',');
      first = false;
      this.#string(key);
      this.write(':');
      this.value(member, depth + 1);
    }
    this.write('}');
    return true;
  }

  #string(text: string): void {
    // A flat copy with the escapes in place: cheaper to hash than JSON.stringify's rope of the same text.
    const escaped = NEEDS_ESCAPING.test(text) ? text.replace(ESCAPED_CHARACTER, escapeCharacter) : text;
    this.write('"');
    this.write(escaped);
    this.write('"');
  }

  #bytes(bytes: Uint8Array): true {
    this.write('{"$bytesSha256":"');
    this.write(sha256Hex(bytes));
    this.write('"}');
    return true;
  }

  #started(): Hash {
    this.#hash ??= createHash('sha256');
    return this.#hash;
  }

  #flush(): void {
    if (this.#gathered.length === 0) return;
    this.#started().update(this.#gathered);
    this.#gathered = '';
  }
}
