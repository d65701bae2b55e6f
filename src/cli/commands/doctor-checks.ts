// The checks of `roma doctor` (the seed's validate_phase1): each returns a status, what it saw and the fix.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type LoadedConfig, type RomaConfig, redactUrl } from '../../config/index.js';
import { isRomaError } from '../../contracts/index.js';
import { createModelRegistry } from '../../llm/index.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface DoctorCheck {
  category: string;
  check: string;
  status: CheckStatus;
  /** What the check saw (version, reply, error). */
  detail: string;
  /** What to do about a failure or warning. */
  fix?: string;
}

export interface CheckContext {
  config: RomaConfig;
  loaded: LoadedConfig | null;
  cwd: string;
  /** Bound on each network or process probe. */
  timeoutMs: number;
}

type Outcome = Omit<DoctorCheck, 'category' | 'check'>;

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return messageOf(error.errors[0]);
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || (error as { code?: string })?.code || 'failed';
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function runVersion(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(error);
      else resolvePromise(`${stdout}${stderr}`.trim().split('\n')[0] ?? '');
    });
  });
}

export function checkNodeVersion(): Outcome {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? { status: 'pass', detail: `v${process.versions.node}` }
    : {
        status: 'fail',
        detail: `v${process.versions.node} is older than 20`,
        fix: 'install Node 20, 22 or 24 (e.g. `nvm install 22`)',
      };
}

const MODEL_HOW_TO =
  'export ROMA_MODEL=anthropic:<model> and ANTHROPIC_API_KEY (or OPENAI_API_KEY, OPENAI_BASE_URL for any ' +
  'OpenAI-compatible server), or set llm.model in roma.config.yaml; `npm run demo` needs none';

/** Resolves the model the way `roma solve` will, so doctor and solve never disagree. */
export function checkModel(config: RomaConfig): Outcome {
  const model = config.llm.model;
  if (!model) return { status: 'warn', detail: 'no model configured', fix: MODEL_HOW_TO };
  try {
    createModelRegistry(config.llm).resolve();
    const via =
      config.llm.openaiBaseUrl && !model.startsWith('anthropic:')
        ? ` via ${redactUrl(config.llm.openaiBaseUrl)}`
        : '';
    return { status: 'pass', detail: `${model}${via} (not called)` };
  } catch (error) {
    if (!isRomaError(error)) throw error;
    return { status: 'fail', detail: error.message, fix: error.fix ?? MODEL_HOW_TO };
  }
}

/** With `queued`, runs are BullMQ jobs on this Redis (keys without a TTL): an allkeys-* policy may evict them. */
export async function checkRedis(
  url: string,
  timeoutMs: number,
  queued = false,
): Promise<{ reach: Outcome; policy: Outcome }> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // disconnect() otherwise keeps the process alive 2 s waiting for a socket that may never have opened.
    disconnectTimeout: 50,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The event carries the real cause (ECONNREFUSED…); the awaited call only says the connection closed.
  let socketError: unknown;
  redis.on('error', (error) => {
    socketError = error;
  });
  const shown = redactUrl(url);
  try {
    await withTimeout(redis.connect(), timeoutMs, 'connect');
    const reply = await withTimeout(redis.ping(), timeoutMs, 'PING');
    const reach: Outcome = { status: 'pass', detail: `${shown}: PING → ${reply}` };
    try {
      const policyReply = (await withTimeout(
        redis.config('GET', 'maxmemory-policy'),
        timeoutMs,
        'CONFIG GET',
      )) as unknown as string[];
      const policy = policyReply[1] ?? 'unknown';
      if (policy === 'noeviction') {
        return {
          reach,
          policy: {
            status: 'warn',
            detail: 'maxmemory-policy noeviction: a full cache refuses writes',
            fix: 'redis-cli CONFIG SET maxmemory-policy volatile-lru (or start Redis with docker/redis.conf)',
          },
        };
      }
      if (queued && policy.startsWith('allkeys-')) {
        return {
          reach,
          policy: {
            status: 'warn',
            detail: `maxmemory-policy ${policy} with ROMA_QUEUE=bullmq: a full Redis may evict queued runs`,
            fix: 'redis-cli CONFIG SET maxmemory-policy volatile-lru (cache entries expire, queued runs do not), as docker/redis.conf does',
          },
        };
      }
      return { reach, policy: { status: 'pass', detail: `maxmemory-policy ${policy}` } };
    } catch (error) {
      return {
        reach,
        policy: {
          status: 'warn',
          detail: `cannot read maxmemory-policy: ${messageOf(error)}`,
          fix: 'make sure the eviction policy evicts (volatile-lru) in your Redis provider settings',
        },
      };
    }
  } catch (error) {
    const fix = `start Redis (redis-server --port ${portOf(url, 6379)}) or fix/unset REDIS_URL (cache.redisUrl)`;
    return {
      reach: { status: 'fail', detail: `${shown}: ${messageOf(socketError ?? error)}`, fix },
      policy: { status: 'skip', detail: 'Redis not reachable' },
    };
  } finally {
    redis.disconnect();
  }
}

function portOf(url: string, fallback: number): string {
  try {
    return new URL(url).port || String(fallback);
  } catch {
    return String(fallback);
  }
}

export async function checkPostgres(url: string, timeoutMs: number): Promise<Outcome> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => {});
  const shown = redactUrl(url);
  try {
    await withTimeout(client.connect(), timeoutMs, 'connect');
    const result = await withTimeout(
      client.query<{ version: string }>('SELECT version()'),
      timeoutMs,
      'query',
    );
    const version = (result.rows[0]?.version ?? '').split(' ').slice(0, 2).join(' ');
    return { status: 'pass', detail: `${shown}: ${version}` };
  } catch (error) {
    return {
      status: 'fail',
      detail: `${shown}: ${messageOf(error)}`,
      fix: `start PostgreSQL on port ${portOf(url, 5432)} or fix/unset DATABASE_URL (store.databaseUrl); SQLite is used without it`,
    };
  } finally {
    await withTimeout(client.end(), timeoutMs, 'close').catch(() => {});
  }
}

export async function checkSqlite(): Promise<Outcome> {
  try {
    const { default: Database } = await import('better-sqlite3');
    const database = new Database(':memory:');
    const row = database.prepare('SELECT sqlite_version() AS version').get() as { version: string };
    database.close();
    return { status: 'pass', detail: `better-sqlite3, SQLite ${row.version}` };
  } catch (error) {
    return {
      status: 'fail',
      detail: `better-sqlite3 does not load: ${messageOf(error)}`,
      fix: 'npm_config_nodedir=/usr npm rebuild better-sqlite3 (or set DATABASE_URL to use PostgreSQL)',
    };
  }
}

export function checkDataDir(context: CheckContext): Outcome {
  const directory = resolve(context.cwd, context.config.store.dataDir);
  const probe = resolve(directory, `.doctor-${process.pid}`);
  try {
    mkdirSync(directory, { recursive: true });
    writeFileSync(probe, 'ok');
    rmSync(probe, { force: true });
    return { status: 'pass', detail: `${directory} is writable` };
  } catch (error) {
    return {
      status: 'fail',
      detail: `${directory}: ${messageOf(error)}`,
      fix: 'make the directory writable or point store.dataDir (ROMA_DATA_DIR) elsewhere',
    };
  }
}

export async function checkBubblewrap(config: RomaConfig, timeoutMs: number): Promise<Outcome> {
  try {
    const version = await runVersion('bwrap', ['--version'], timeoutMs);
    return { status: 'pass', detail: version };
  } catch (error) {
    const needed = config.sandbox.provider === 'process';
    return {
      status: needed ? 'fail' : 'warn',
      detail: `bwrap not usable (${messageOf(error)}); ${needed ? 'sandbox.provider is process' : 'needed for Python sandboxes only'}`,
      fix: 'apt-get install bubblewrap',
    };
  }
}

export async function checkPython(timeoutMs: number): Promise<Outcome> {
  try {
    return { status: 'pass', detail: await runVersion('python3', ['--version'], timeoutMs) };
  } catch (error) {
    return {
      status: 'warn',
      detail: `python3 not found (${messageOf(error)}); needed for Python plans in the process sandbox`,
      fix: 'apt-get install python3',
    };
  }
}

export function checkDaytona(config: RomaConfig): Outcome {
  const { daytonaApiKey, provider } = config.sandbox;
  if (daytonaApiKey) return { status: 'pass', detail: 'DAYTONA_API_KEY set (not contacted)' };
  if (provider === 'daytona') {
    return {
      status: 'fail',
      detail: 'sandbox.provider is daytona but no API key',
      fix: 'export DAYTONA_API_KEY=… (from app.daytona.io) or use another sandbox.provider',
    };
  }
  return { status: 'skip', detail: 'not configured (optional: DAYTONA_API_KEY for cloud sandboxes)' };
}

/** Any HTTP answer counts as reachable; `path` is tried on the service's base URL. */
export async function checkHttp(
  url: string,
  path: string,
  timeoutMs: number,
  unsetHint: string,
  /** A bearer key to send; a 401 then fails the row, naming `keyVariable`. */
  bearer?: { key: string | undefined; keyVariable: string },
): Promise<Outcome> {
  const target = new URL(path, url.endsWith('/') ? url : `${url}/`).toString();
  const shown = redactUrl(target);
  try {
    const response = await fetch(target, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
      ...(bearer?.key ? { headers: { authorization: `Bearer ${bearer.key}` } } : {}),
    });
    await response.body?.cancel();
    if (bearer && response.status === 401) {
      return {
        status: 'fail',
        detail: `${shown}: HTTP 401 (${bearer.key ? 'the key was refused' : 'a key is required'})`,
        fix: `set ${bearer.keyVariable} to the service's key`,
      };
    }
    if (response.status >= 500) {
      return {
        status: 'fail',
        detail: `${shown}: HTTP ${response.status}`,
        fix: `check the service's logs; ${unsetHint}`,
      };
    }
    return { status: 'pass', detail: `${shown}: HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return {
      status: 'fail',
      detail: `${shown}: ${messageOf(cause ?? error)}`,
      fix: `start the service or ${unsetHint}`,
    };
  }
}
