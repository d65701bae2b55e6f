// Reads `.env` (the file `.env.example` tells users to create): its variables fill in what the real
// environment leaves unset, and `roma config show` names `.env` as their source.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { RomaError } from '../contracts/index.js';
import type { Env } from './env.js';

const DOT_ENV_FILE = '.env';
/** A `.env` larger than this is not a list of variables; refusing it keeps a stray file from stalling startup. */
const MAX_DOT_ENV_BYTES = 1024 * 1024;

interface DotEnv {
  /** As shown to users (relative to cwd). */
  file: string;
  values: Record<string, string>;
}

/** The variables of `<cwd>/.env`, or null when there is none. Throws CONFIG_INVALID when it cannot be read. */
export function readDotEnv(cwd: string): DotEnv | null {
  const path = resolve(cwd, DOT_ENV_FILE);
  if (!existsSync(path)) return null;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return null;
    if (stats.size > MAX_DOT_ENV_BYTES) {
      throw new RomaError(
        'CONFIG_INVALID',
        `${DOT_ENV_FILE} is ${stats.size} bytes; a .env file is at most 1 MiB`,
        {
          field: DOT_ENV_FILE,
          fix: 'keep only NAME=value lines in .env',
        },
      );
    }
    return { file: DOT_ENV_FILE, values: parseEnv(readFileSync(path, 'utf8')) as Record<string, string> };
  } catch (error) {
    if (error instanceof RomaError) throw error;
    throw new RomaError('CONFIG_INVALID', `cannot read ${DOT_ENV_FILE}: ${(error as Error).message}`, {
      field: DOT_ENV_FILE,
      fix: 'check its permissions, or remove it',
      cause: error,
    });
  }
}

/** `env` with the `.env` variables it lacks (the real environment wins), and the names taken from `.env`. */
export function withDotEnv(env: Env, dotEnv: DotEnv | null): { env: Env; fromDotEnv: Set<string> } {
  const fromDotEnv = new Set<string>();
  if (!dotEnv) return { env, fromDotEnv };
  const merged: Record<string, string | undefined> = { ...env };
  for (const [name, value] of Object.entries(dotEnv.values)) {
    const current = env[name];
    if (current === undefined || current === '') {
      merged[name] = value;
      fromDotEnv.add(name);
    } else if (current === value) {
      // Already copied into the process by `applyDotEnv`: still `.env`'s value.
      fromDotEnv.add(name);
    }
  }
  return { env: merged, fromDotEnv };
}

/**
 * Copies `<cwd>/.env` into `target` (process.env) without overriding what is set, so code that reads the
 * environment directly and child processes see the same values. Returns the names it set.
 */
export function applyDotEnv(cwd: string, target: NodeJS.ProcessEnv = process.env): string[] {
  const dotEnv = readDotEnv(cwd);
  if (!dotEnv) return [];
  const set: string[] = [];
  for (const [name, value] of Object.entries(dotEnv.values)) {
    if (target[name] === undefined || target[name] === '') {
      target[name] = value;
      set.push(name);
    }
  }
  return set;
}
