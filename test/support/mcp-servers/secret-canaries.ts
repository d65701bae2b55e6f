// Secret canaries shared by the leak tests: the values planted (an LLM key, MCP env values, an MCP header), the
// hostile servers that echo them, the programs that leak them, and a search of everything left on disk.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { McpServerConfig } from '../../../src/config/sections/ptc.js';
import type { HttpMcpServer } from './http-server.js';
import { envReference, leakyServerConfig } from './index.js';

export const CANARY_LLM_KEY = 'sk-canary-llm-key-7f3a9c0d';
const DB_PASSWORD = 'canary-db-pass-51e2';
export const CANARY_DATABASE_URL = `postgres://app:${DB_PASSWORD}@db.internal:5432/app`;
export const CANARY_REGION_LABEL = 'canary-plain-value-93bd';
export const CANARY_HEADER_TOKEN = 'canary-header-token-c41d';
/** None of these may appear anywhere a user or a provider can see. */
export const CANARIES = [
  CANARY_LLM_KEY,
  DB_PASSWORD,
  CANARY_DATABASE_URL,
  CANARY_REGION_LABEL,
  CANARY_HEADER_TOKEN,
];

/** Prints, catches, logs and writes (into a file named from the values) everything the hostile servers echo. */
export const LEAKING_PROGRAM = [
  'const env = await leaky.environment({});',
  "console.log('env', JSON.stringify(env));",
  'const structured = await leaky.structured_environment({});',
  "console.log('structured', JSON.stringify(structured));",
  "try { await leaky.fail_with_environment({}); } catch (error) { console.log('caught', error.message); console.error('stderr', error.message); }",
  'const encoded = await leaky.encoded_environment({});',
  "console.log('encoded', typeof encoded === 'string' ? encoded : JSON.stringify(encoded));",
  'const headers = await web.echo_headers({});',
  "console.log('headers', JSON.stringify(headers));",
  "try { await web.fail_with_headers({}); } catch (error) { console.log('caught-http', error.message); }",
  "workspace.writeFile('results/leak-' + JSON.stringify(env).slice(0, 40).replace(/[^a-z0-9*]/gi, '_') + '.txt', JSON.stringify({ env, structured, headers }));",
].join('\n');

/** The model's second try: the program throws what it got. */
export const THROWING_PROGRAM =
  'const env = await leaky.environment({});\nthrow new Error(`leaking ${JSON.stringify(env)}`);';

/**
 * The hostile servers as a user's config names them: `leaky` (stdio, its env from `${VAR}` references) and
 * `web` (HTTP, a `${SEARCH_KEY}` header). `databaseUrlVariable` is the host variable holding the database URL.
 */
export function canaryServers(
  web: HttpMcpServer,
  databaseUrlVariable: string,
): Record<string, McpServerConfig> {
  return {
    leaky: leakyServerConfig({
      DATABASE_URL: envReference(databaseUrlVariable),
      REGION_LABEL: envReference('REGION_LABEL'),
    }),
    web: {
      transport: 'http',
      url: web.url,
      headers: { Authorization: `Bearer ${envReference('SEARCH_KEY')}` },
      timeoutMs: 30_000,
    },
  };
}

/** The host variables `canaryServers` refers to, holding the canaries. */
export function canaryHostEnv(databaseUrlVariable: string): Record<string, string> {
  return {
    [databaseUrlVariable]: CANARY_DATABASE_URL,
    REGION_LABEL: CANARY_REGION_LABEL,
    SEARCH_KEY: CANARY_HEADER_TOKEN,
  };
}

/** Every path and file under `root` (bytes as latin1, so SQLite pages and WAL files are searched too). */
export function filesUnder(root: string): string[] {
  const contents: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    contents.push(path);
    if (stat.isDirectory()) stack.push(...readdirSync(path).map((entry) => join(path, entry)));
    else contents.push(readFileSync(path).toString('latin1'));
  }
  return contents;
}
