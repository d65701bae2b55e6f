// SHA-256 of a value's canonical form, fed to the hash as a framing (type tag, length, raw text): no JSON, no escapes.
import * as crypto from 'node:crypto';
import { createHash, type Hash } from 'node:crypto';
import { sha256Hex } from './canonical-json.js';

/*
 * The framing of one value in the canonical form `canonicalJson` writes (sorted keys, undefined members dropped,
 * bytes as their SHA-256, dates and URLs as strings, non-finite numbers and bigints as strings):
 *
 *   null `n`   true `t`   false `f`   number `d` String(number) `;`
 *   string `s` <UTF-16 length> `:` <UTF-8 bytes>
 *          `u` <UTF-16 length> `:` <UTF-16LE bytes>   (a string holding a lone surrogate, which UTF-8 cannot carry)
 *   array  `[` <item>… `]`        object `{` <key string><value>… `}`, keys in sorted order
 *
 * Every piece says where it ends (a string by its length, `;` ends a number, `]` and `}` are no value's tag),
 * so a reader could parse the bytes back: two different canonical values never frame alike. A prompt's long
 * strings therefore go to the hash exactly as they are, without the scan and copy JSON escaping costs.
 */

/**
 * Pieces are gathered into one string and hashed at once: each update call has a fixed cost, and a short
 * framing is cheapest hashed in one shot. Past the limit, a string this long goes to the hash by itself
 * (gathering it would only copy it once more when the rope of pieces is flattened).
 */
const DIRECT_UPDATE_CHARS = 1_024;
const GATHERED_LIMIT_CHARS = 16_384;
const MAX_DEPTH = 200;

// One-shot hashing (Node ≥ 20.12) is cheaper for a framing that never outgrew the gathered string.
const hashOnce = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;

type Sink = (data: string | Uint8Array) => void;

/** The hex SHA-256 of the value's framing: the hash of `canonicalFraming(value)` without building it. */
export function canonicalSha256Hex(value: unknown): string {
  let hash: Hash | undefined;
  const writer = new FramingWriter((data) => {
    hash ??= createHash('sha256');
    hash.update(data);
  });
  writer.top(value);
  if (hash === undefined && hashOnce !== undefined) return hashOnce('sha256', writer.remainder());
  writer.flush();
  hash ??= createHash('sha256');
  return hash.digest('hex');
}

/** The bytes `canonicalSha256Hex` hashes (for tests and for reading a key's input; hashing never builds them). */
export function canonicalFraming(value: unknown): Buffer {
  const chunks: Buffer[] = [];
  const writer = new FramingWriter((data) => {
    chunks.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
  });
  writer.top(value);
  writer.flush();
  return Buffer.concat(chunks);
}

function isAbortSignal(value: object): boolean {
  return typeof AbortSignal !== 'undefined' && value instanceof AbortSignal;
}

/** True when `canonicalize` drops the value (an object member vanishes, an array item becomes null). */
function isDropped(value: unknown): boolean {
  const type = typeof value;
  if (type === 'object') return value !== null && isAbortSignal(value as object);
  return type === 'undefined' || type === 'function' || type === 'symbol';
}

/**
 * Own enumerable keys in sorted (UTF-16 code unit) order, as `Object.keys(object).sort()`. Objects of a request
 * have a handful of keys, for which an insertion sort with `<` costs far less than the generic sort.
 */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  if (keys.length > 16) return keys.sort();
  for (let index = 1; index < keys.length; index += 1) {
    const key = keys[index] as string;
    let at = index - 1;
    while (at >= 0 && (keys[at] as string) > key) {
      keys[at + 1] = keys[at] as string;
      at -= 1;
    }
    keys[at + 1] = key;
  }
  return keys;
}

// Node 20 has String.prototype.isWellFormed; the ES2023 lib this project compiles against does not declare it.
const isWellFormed = (text: string) => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

// Requests reuse a small vocabulary of keys (role, content, type, text, …): their framings are kept, up to a bound.
const framedKeys = new Map<string, string>();
const MAX_FRAMED_KEYS = 4_096;
const MAX_FRAMED_KEY_CHARS = 64;

class FramingWriter {
  #gathered = '';
  #flushed = false;

  constructor(private readonly sink: Sink) {}

  top(value: unknown): void {
    if (!this.value(value, 0)) this.#write('n');
  }

  /** What was gathered and not yet handed to the sink. */
  remainder(): string {
    return this.#gathered;
  }

  flush(): void {
    if (this.#gathered.length === 0) return;
    this.sink(this.#gathered);
    this.#gathered = '';
    this.#flushed = true;
  }

  /** Writes the framing of `value`, or nothing (returning false) when `canonicalize` would drop it. */
  value(value: unknown, depth: number): boolean {
    if (depth > MAX_DEPTH) throw new Error('value nested deeper than 200 levels');
    switch (typeof value) {
      case 'string':
        this.#string(value);
        return true;
      case 'object':
        break;
      case 'number':
        if (Number.isFinite(value)) this.#write(`d${value};`);
        else this.#string(String(value));
        return true;
      case 'boolean':
        this.#write(value ? 't' : 'f');
        return true;
      case 'bigint':
        this.#string(`${value.toString()}n`);
        return true;
      default:
        // undefined, functions and symbols
        return false;
    }
    if (value === null) {
      this.#write('n');
      return true;
    }
    if (Array.isArray(value)) {
      this.#write('[');
      for (let index = 0; index < value.length; index += 1) {
        if (!this.value(value[index], depth + 1)) this.#write('n');
      }
      this.#write(']');
      return true;
    }
    // Plain objects (almost every node of a request) skip the checks for the few classes with a canonical form.
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
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
      if (isAbortSignal(value)) return false;
    }
    const keys = sortedKeys(value);
    // canonicalize looks at every member one level down, even one it then drops.
    if (keys.length > 0 && depth >= MAX_DEPTH) throw new Error('value nested deeper than 200 levels');
    this.#write('{');
    for (const key of keys) {
      // canonicalize's `out[key] =` cannot create an own `__proto__`, so that member is not in the canonical form.
      if (key === '__proto__') continue;
      const member = (value as Record<string, unknown>)[key];
      if (isDropped(member)) continue;
      this.#key(key);
      this.value(member, depth + 1);
    }
    this.#write('}');
    return true;
  }

  #write(text: string): void {
    this.#gathered += text;
    if (this.#gathered.length >= GATHERED_LIMIT_CHARS) this.flush();
  }

  /** An object key: framed like any string, but the framings of short keys are kept for the next request. */
  #key(key: string): void {
    const known = framedKeys.get(key);
    if (known !== undefined) {
      this.#write(known);
    } else if (key.length > MAX_FRAMED_KEY_CHARS || !isWellFormed(key)) {
      this.#string(key);
    } else {
      const framed = `s${key.length}:${key}`;
      if (framedKeys.size < MAX_FRAMED_KEYS) framedKeys.set(key, framed);
      this.#write(framed);
    }
  }

  #string(text: string): void {
    if (!isWellFormed(text)) {
      this.#gathered += `u${text.length}:`;
      this.flush();
      this.sink(Buffer.from(text, 'utf16le'));
    } else if (
      text.length >= DIRECT_UPDATE_CHARS &&
      (this.#flushed || this.#gathered.length + text.length >= GATHERED_LIMIT_CHARS)
    ) {
      this.#gathered += `s${text.length}:`;
      this.flush();
      this.sink(text);
    } else {
      this.#write(`s${text.length}:${text}`);
    }
  }

  #bytes(bytes: Uint8Array): true {
    this.#write('{s12:$bytesSha256s64:');
    this.#write(sha256Hex(bytes));
    this.#write('}');
    return true;
  }
}
