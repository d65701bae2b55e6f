// Where an MCP server's OAuth state lives on the host: a registered client and its tokens (a 0600 file), or memory.
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { z } from 'zod';
import { RomaError } from '../../contracts/index.js';

export interface OAuthState {
  /** A client registered dynamically (or the issuer configured credentials were bound to). */
  client?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
  /** Where the server's 401 pointed (resource metadata, authorization server), so a later flow finds it. */
  discovery?: OAuthDiscoveryState;
  /** The scope a run needed and could not get (a 403 step-up): `roma tools auth` asks for it. */
  pendingScope?: string;
}

export interface OAuthStateStore {
  /** Where the state is kept, for messages (`memory` for a store that is not a file). */
  readonly location: string;
  load(): OAuthState;
  save(state: OAuthState): void;
}

const StoredStateSchema = z
  .object({
    version: z.literal(1),
    client: z.record(z.string(), z.unknown()).optional(),
    tokens: z.record(z.string(), z.unknown()).optional(),
    discovery: z.record(z.string(), z.unknown()).optional(),
    pendingScope: z.string().optional(),
  })
  .loose();

/** In memory: client_credentials tokens are fetched again by each process, nothing to keep. */
export function memoryOAuthStore(): OAuthStateStore {
  let state: OAuthState = {};
  return {
    location: 'memory',
    load: () => state,
    save: (next) => {
      state = next;
    },
  };
}

/**
 * A JSON file only its owner can read; written whole through a rename so a crash never leaves half a file.
 * Read again only when it changed (tokens are asked for on every request), so tokens that `roma tools auth`
 * stores reach a long-running process without a restart.
 */
export function fileOAuthStore(path: string): OAuthStateStore {
  let cached: { changedMs: number; state: OAuthState } | undefined;
  return {
    location: path,
    load: () => {
      let text: string;
      let changedMs: number;
      try {
        changedMs = statSync(path).mtimeMs;
        if (cached?.changedMs === changedMs) return cached.state;
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw error;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const result = StoredStateSchema.safeParse(parsed);
      if (!result.success) {
        throw new RomaError('CONFIG_INVALID', `the OAuth token file ${path} is not roma's format`, {
          field: 'oauth.tokenFile',
          fix: `delete it and authorize again (roma tools auth <server>)`,
        });
      }
      const state: OAuthState = {
        ...(result.data.client ? { client: result.data.client as OAuthClientInformationMixed } : {}),
        ...(result.data.tokens ? { tokens: result.data.tokens as OAuthTokens } : {}),
        ...(result.data.discovery
          ? { discovery: result.data.discovery as unknown as OAuthDiscoveryState }
          : {}),
        ...(result.data.pendingScope ? { pendingScope: result.data.pendingScope } : {}),
      };
      cached = { changedMs, state };
      return state;
    },
    save: (state) => {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify({ version: 1, ...state }, null, 2)}\n`, { mode: 0o600 });
      chmodSync(temporary, 0o600);
      renameSync(temporary, path);
      cached = undefined;
    },
  };
}
