// Which config values are secrets, how to redact them, and a scrubber that removes their values from any text.
import { isPlainObject, type PlainObject } from './paths.js';

export const REDACTED = '***';

const SECRET_KEY = /(apikey|secretaccesskey|accesskeyid|password|passwd|secret|token|authorization)$/i;
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
export const MIN_SCRUBBED_SECRET_LENGTH = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `(text) => text` with every occurrence of each secret value replaced by `***`; also catches the
 * JSON-escaped and URL-encoded spellings, as logs and URLs carry them.
 */
export function createSecretScrubber(values: Iterable<string>): (text: string) => string {
  const variants = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_SCRUBBED_SECRET_LENGTH) continue;
    variants.add(value);
    variants.add(JSON.stringify(value).slice(1, -1));
    variants.add(encodeURIComponent(value));
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
