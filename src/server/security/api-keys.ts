// Bearer API keys: parsed from ROMA_API_KEYS, matched in constant time, named by a short digest (never the key).
import { createHash, timingSafeEqual } from 'node:crypto';
import { RomaError } from '../../contracts/index.js';

const MIN_KEY_LENGTH = 16;

export interface ApiKeySet {
  /** Digests of the keys; comparing digests keeps the compare constant-time whatever the candidate's length. */
  readonly digests: readonly Buffer[];
  readonly size: number;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** `ROMA_API_KEYS=key1,key2`; blank means no keys (loopback only). Short keys are refused. */
export function parseApiKeys(raw: string | undefined): ApiKeySet {
  const keys = (raw ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  for (const [index, key] of keys.entries()) {
    if (key.length < MIN_KEY_LENGTH) {
      throw new RomaError(
        'CONFIG_INVALID',
        `ROMA_API_KEYS: key ${index + 1} is shorter than ${MIN_KEY_LENGTH} characters`,
        {
          field: 'ROMA_API_KEYS',
          fix: 'use long random keys, e.g. `openssl rand -hex 24`, separated by commas',
        },
      );
    }
  }
  return { digests: keys.map(digest), size: keys.length };
}

/** The identity of the matching key (`key:<8 hex>`), or null. Every key is compared, match or not. */
export function matchApiKey(keys: ApiKeySet, candidate: string | null | undefined): string | null {
  if (!candidate) return null;
  const candidateDigest = digest(candidate);
  let matched: Buffer | null = null;
  for (const keyDigest of keys.digests) {
    if (timingSafeEqual(keyDigest, candidateDigest)) matched = keyDigest;
  }
  return matched ? `key:${matched.subarray(0, 4).toString('hex')}` : null;
}

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Browsers cannot set headers on a WebSocket: the dashboard sends the key as the subprotocol `roma.bearer.<key>`. */
export const BEARER_SUBPROTOCOL_PREFIX = 'roma.bearer.';

export function bearerFromSubprotocols(header: string | null | undefined): string | null {
  if (!header) return null;
  for (const protocol of header.split(',')) {
    const trimmed = protocol.trim();
    if (trimmed.startsWith(BEARER_SUBPROTOCOL_PREFIX)) return trimmed.slice(BEARER_SUBPROTOCOL_PREFIX.length);
  }
  return null;
}
