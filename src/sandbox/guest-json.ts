// Bounds of JSON text a guest sends the host, checked by one flat scan before anything parses it recursively.
import type { z } from 'zod';
import { type ParseResult, parseJsonWith } from '../contracts/index.js';

interface GuestJsonBounds {
  maxChars: number;
  /** Deepest nesting of arrays and objects; a schema walk of deeper text could overflow the host's stack. */
  maxDepth: number;
  /** Lone surrogates cannot become UTF-8 (a tool would get U+FFFD): refused unless this is set. */
  allowLoneSurrogates?: boolean;
}

const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const PLAIN_OUTSIDE = /[^"[\]{}]+/y;
const PLAIN_IN_STRING = /[^"\\\ud800-\udfff]+/y;

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
function hex(unit: number): string {
  return `\\u${unit.toString(16).padStart(4, '0')}`;
}

/**
 * Returns why `text` is refused (too long, nested too deep, a string with a lone surrogate, raw or escaped),
 * or undefined. Iterative and linear: it is what makes the recursive parse after it safe. Malformed JSON is
 * left for JSON.parse to describe.
 */
export function checkGuestJson(text: string, bounds: GuestJsonBounds): string | undefined {
  if (text.length > bounds.maxChars)
    return `${text.length} chars of JSON exceed the bound of ${bounds.maxChars}`;
  let depth = 0;
  let inString = false;
  // A high surrogate seen inside a string: the next code unit (raw or escaped) must be a low one.
  let highPending = -1;
  const checkSurrogates = bounds.allowLoneSurrogates !== true;
  for (let index = 0; index < text.length; index++) {
    // Runs of characters that change nothing are skipped by the regex engine (~10× a charCodeAt loop).
    const skip = inString ? (highPending >= 0 ? undefined : PLAIN_IN_STRING) : PLAIN_OUTSIDE;
    if (skip) {
      skip.lastIndex = index;
      if (skip.test(text)) index = skip.lastIndex;
      if (index >= text.length) break;
    }
    const unit = text.charCodeAt(index);
    if (!inString) {
      if (unit === OPEN_ARRAY || unit === OPEN_OBJECT) {
        depth++;
        if (depth > bounds.maxDepth) return `JSON nests deeper than ${bounds.maxDepth} levels`;
      } else if (unit === CLOSE_ARRAY || unit === CLOSE_OBJECT) {
        depth--;
      } else if (unit === QUOTE) {
        inString = true;
      }
      continue;
    }
    let decoded = unit;
    if (unit === BACKSLASH) {
      const escaped = text.charCodeAt(index + 1);
      if (escaped === 0x75 /* u */) {
        decoded = Number.parseInt(text.slice(index + 2, index + 6), 16);
        index += 5;
        if (Number.isNaN(decoded)) return undefined;
      } else {
        index += 1;
        decoded = -1;
      }
    } else if (unit === QUOTE) {
      inString = false;
      decoded = -1;
    }
    if (!checkSurrogates) continue;
    if (highPending >= 0) {
      if (!isLowSurrogate(decoded)) return `a string holds a lone surrogate ${hex(highPending)}`;
      highPending = -1;
      continue;
    }
    if (isHighSurrogate(decoded)) highPending = decoded;
    else if (isLowSurrogate(decoded)) return `a string holds a lone surrogate ${hex(decoded)}`;
  }
  return undefined;
}

/** `checkGuestJson`, then JSON.parse and the schema: never throws, whatever the guest sent. */
export function parseGuestJson<S extends z.ZodType>(
  schema: S,
  text: string,
  label: string,
  bounds: GuestJsonBounds,
): ParseResult<z.output<S>> {
  const refused = checkGuestJson(text, bounds);
  if (refused) {
    const message = `${label}: ${refused}`;
    return { ok: false, issues: [{ path: '', message }], message };
  }
  try {
    return parseJsonWith(schema, text, label);
  } catch (error) {
    const message = `${label}: could not be checked (${error instanceof Error ? error.message : String(error)})`;
    return { ok: false, issues: [{ path: '', message }], message };
  }
}
