// Which config values are secrets, how to redact them, and a scrubber that removes their values from any text.
import { RomaError, toRomaError } from '../contracts/index.js';
import { isPlainObject, type PlainObject } from './paths.js';

const REDACTED = '***';

const SECRET_KEY =
  /(apikey|privatekey|secretaccesskey|accesskeyid|password|passwd|secret|token|authorization)$/i;
const SECRET_QUERY_PARAMETER = /(key|token|password|secret|signature|sig|auth)/i;

/** True for config paths whose value is a secret: API keys, S3 credentials, MCP server headers and env. */
export function isSecretPath(path: string | readonly string[]): boolean {
  const segments = typeof path === 'string' ? path.split('.') : path;
  const last = segments[segments.length - 1] ?? '';
  if (SECRET_KEY.test(last)) return true;
  const parent = segments[segments.length - 2];
  // Header values (Authorization, X-Api-Key…) and env of MCP servers routinely hold credentials.
  return segments.includes('mcpServers') && (parent === 'headers' || parent === 'env');
}

function parseUrl(text: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** A URL with its password and credential-like query parameters replaced by `***`; other text unchanged. */
export function redactUrl(text: string): string {
  const url = parseUrl(text);
  if (!url) return text;
  let changed = false;
  if (url.password) {
    url.password = REDACTED;
    changed = true;
  }
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_QUERY_PARAMETER.test(name)) {
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  // Rebuilding through URL percent-encodes `*`; keep the plain marker readable.
  return changed ? url.toString().replaceAll('%2A%2A%2A', REDACTED) : text;
}

function secretPartsOfUrl(text: string): string[] {
  const url = parseUrl(text);
  if (!url) return [];
  const parts: string[] = [];
  if (url.password) parts.push(url.password, decodeURIComponentSafe(url.password));
  for (const [name, value] of url.searchParams) {
    if (SECRET_QUERY_PARAMETER.test(name) && value) parts.push(value);
  }
  return parts;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function walk(value: unknown, path: string[], visit: (value: unknown, path: string[]) => unknown): unknown {
  if (isPlainObject(value)) {
    const out: PlainObject = {};
    for (const [key, child] of Object.entries(value)) out[key] = walk(child, [...path, key], visit);
    return out;
  }
  if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, String(index)], visit));
  return visit(value, path);
}

/** A copy of `config` (or any part of it) with every secret replaced by `***` and URL passwords hidden. */
export function redactConfig<T>(config: T, basePath: readonly string[] = []): T {
  return walk(config, [...basePath], (value, path) => {
    if (value === undefined || value === null || value === '') return value;
    if (isSecretPath(path)) return REDACTED;
    return typeof value === 'string' ? redactUrl(value) : value;
  }) as T;
}

/** The value shown for `path` in messages: `***` for a secret, the URL without its password, else the value. */
export function redactValue(path: string | readonly string[], value: unknown): unknown {
  const segments = typeof path === 'string' ? path.split('.') : [...path];
  return redactConfig(value, segments);
}

/** Every secret value inside `config`, for a scrubber. */
export function secretValuesOf(config: unknown): string[] {
  const values = new Set<string>();
  walk(config, [], (value, path) => {
    if (typeof value !== 'string' || value === '') return value;
    if (isSecretPath(path)) values.add(value);
    for (const part of secretPartsOfUrl(value)) values.add(part);
    return value;
  });
  return [...values];
}

/** Secrets shorter than this are not scrubbed: they would match inside ordinary words everywhere. */
const MIN_SCRUBBED_SECRET_LENGTH = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Encoded spellings shorter than this are not scrubbed: a few base64 or hex characters match by chance. */
const MIN_ENCODED_VARIANT_LENGTH = 8;

/**
 * The base64 (and base64url) runs that stand for `value` wherever it sits inside a longer encoded blob: one per
 * alignment of its first byte in a 3-byte group, cut to the characters that depend on its bytes alone (the way
 * CI systems mask secrets inside encoded logs). A server that base64-encodes its environment, or a basic-auth
 * header built from a password, is caught this way.
 */
function base64Variants(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const variants: string[] = [];
  for (let alignment = 0; alignment < 3; alignment += 1) {
    const encoded = Buffer.concat([Buffer.alloc(alignment), bytes]).toString('base64');
    const first = Math.ceil((8 * alignment) / 6);
    const end = Math.floor((8 * (alignment + bytes.length)) / 6);
    const run = encoded.slice(first, end);
    if (run.length < MIN_ENCODED_VARIANT_LENGTH) continue;
    variants.push(run, run.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return variants;
}

/**
 * `(text) => text` with every occurrence of each secret value replaced by `***`; also catches the
 * JSON-escaped and URL-encoded spellings, as logs and URLs carry them, and the base64 and hex encodings a
 * server or program may print instead. A program can always transform a value it holds in other ways; the
 * first line of defence is that secrets never reach the guest (tool results are scrubbed before it sees them).
 */
export function createSecretScrubber(values: Iterable<string>): (text: string) => string {
  const variants = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_SCRUBBED_SECRET_LENGTH) continue;
    variants.add(value);
    variants.add(JSON.stringify(value).slice(1, -1));
    variants.add(encodeURIComponent(value));
    for (const variant of base64Variants(value)) variants.add(variant);
    const hex = Buffer.from(value, 'utf8').toString('hex');
    if (hex.length >= MIN_ENCODED_VARIANT_LENGTH) variants.add(hex).add(hex.toUpperCase());
  }
  if (variants.size === 0) return (text) => text;
  // Longest first, so a secret containing another is removed whole.
  const pattern = new RegExp(
    [...variants]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return (text) => (typeof text === 'string' ? text.replace(pattern, REDACTED) : text);
}

/** The bare token of an `Authorization`-style value (`Bearer <token>`, `token <token>`). */
function schemeToken(value: string): string | undefined {
  return value.match(/^\S+\s+(\S{4,})$/)?.[1];
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Copies a JSON-like value (tool results, events, results) with every string and key passed through `redact`.
 * Iterative, so a value nested 100,000 levels deep (a hostile server's JSON) cannot overflow the stack; a
 * cycle becomes `[cycle]`.
 */
export function redactJsonValue<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (value === null || typeof value !== 'object') return value;
  const seen = new WeakSet<object>();
  const root: { value: unknown } = { value: undefined };
  const stack: Array<{ source: unknown; assign: (copy: unknown) => void }> = [
    { source: value, assign: (copy) => (root.value = copy) },
  ];
  while (stack.length > 0) {
    const { source, assign } = stack.pop()!;
    if (typeof source === 'string') {
      assign(redact(source));
      continue;
    }
    if (source === null || typeof source !== 'object' || source instanceof Uint8Array) {
      assign(source);
      continue;
    }
    if (seen.has(source)) {
      assign('[cycle]');
      continue;
    }
    seen.add(source);
    if (Array.isArray(source)) {
      const copy: unknown[] = new Array(source.length);
      assign(copy);
      for (let index = 0; index < source.length; index += 1) {
        stack.push({ source: source[index], assign: (child) => (copy[index] = child) });
      }
      continue;
    }
    const copy: Record<string, unknown> = {};
    assign(copy);
    for (const [key, item] of Object.entries(source)) {
      const safeKey = redact(key);
      // Keys are created now, in order (children are filled later, from the stack); `__proto__` stays a key.
      setOwn(copy, safeKey, undefined);
      stack.push({ source: item, assign: (child) => setOwn(copy, safeKey, child) });
    }
  }
  return root.value as T;
}

/**
 * The one list of secret values of a process: fed from config (`secretValuesOf`: LLM keys, store and MCP
 * credentials) and by MCP connections as they substitute `${VAR}` values. `redact` replaces every value (and
 * its JSON-escaped and URL-encoded spellings, a URL's password, a `Bearer` token's bare token) by `***`.
 */
export class SecretList {
  readonly #values = new Set<string>();
  #scrub: (text: string) => string = (text) => text;

  constructor(values: Iterable<string> = []) {
    this.add(values);
  }

  add(values: Iterable<string>): void {
    let changed = false;
    const register = (value: string | undefined) => {
      if (value === undefined || value.length < MIN_SCRUBBED_SECRET_LENGTH || this.#values.has(value)) return;
      this.#values.add(value);
      changed = true;
    };
    for (const value of values) {
      if (typeof value !== 'string') continue;
      register(value);
      register(schemeToken(value));
      for (const part of secretPartsOfUrl(value)) register(part);
    }
    if (changed) this.#scrub = createSecretScrubber(this.#values);
  }

  /** `text` with every secret replaced by `***`. */
  readonly redact = (text: string): string => this.#scrub(text);
}

/**
 * The same error with every secret out of its message, fix and details; the cause (an SDK error holding the
 * raw response or request) is dropped, since loggers and stores print causes.
 */
export function redactError(error: unknown, redact: (text: string) => string): RomaError {
  const romaError = toRomaError(error, 'INTERNAL');
  const message = redact(romaError.message);
  const fix = romaError.fix === undefined ? undefined : redact(romaError.fix);
  const details = romaError.details === undefined ? undefined : redactJsonValue(romaError.details, redact);
  if (
    message === romaError.message &&
    fix === romaError.fix &&
    details === romaError.details &&
    !romaError.cause
  )
    return romaError;
  return new RomaError(romaError.code, message, {
    retryable: romaError.retryable,
    ...(romaError.field === undefined ? {} : { field: romaError.field }),
    ...(fix === undefined ? {} : { fix }),
    ...(details === undefined ? {} : { details }),
  });
}
