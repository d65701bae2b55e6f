// `roma doctor`: every environment check in one table (Category | Check | Status | Detail | Fix);
// exit code 1 when any check fails, the fix beside each failure.
import type { Command } from 'commander';
import {
  createSecretScrubber,
  defaultConfig,
  type Env,
  type LoadedConfig,
  type RomaConfig,
  resolveConfig,
  WELL_KNOWN_ENV,
} from '../../config/index.js';
import { isRomaError } from '../../contracts/index.js';
import {
  type CheckContext,
  type CheckStatus,
  checkBubblewrap,
  checkDataDir,
  checkDaytona,
  checkHttp,
  checkModel,
  checkNodeVersion,
  checkPostgres,
  checkPython,
  checkRedis,
  checkSqlite,
  type DoctorCheck,
} from './doctor-checks.js';
import {
  checkApiKeys,
  checkMlflow,
  checkOtlp,
  checkPostgresMigrations,
  checkS3Writable,
} from './doctor-stack-checks.js';
import { parseIntegerOption } from './integer-option.js';

export type { DoctorCheck } from './doctor-checks.js';

interface DoctorOptions {
  cwd?: string;
  env?: Env;
  configFile?: string;
  profile?: string;
  /** Bound on each probe (Redis PING, PostgreSQL connect, HTTP). */
  timeoutMs?: number;
}

const DEFAULT_DOCTOR_TIMEOUT_MS = 2_000;

type Outcome = Omit<DoctorCheck, 'category' | 'check'>;

/** Loads the config as the commands would; when it is invalid, goes on with env only (else defaults). */
function loadForDoctor(options: DoctorOptions): {
  config: RomaConfig;
  loaded: LoadedConfig | null;
  outcome: Outcome;
} {
  const base = {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
  };
  try {
    const loaded = resolveConfig({
      ...base,
      ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
    });
    const profile = loaded.profile ? ` (profile ${loaded.profile})` : '';
    return {
      config: loaded.config,
      loaded,
      outcome: { status: 'pass', detail: `${loaded.file ?? 'no config file; defaults and env'}${profile}` },
    };
  } catch (error) {
    if (!isRomaError(error)) throw error;
    const outcome: Outcome = {
      status: 'fail',
      detail: error.toLine().replace(/ — .*$/, ''),
      fix: error.fix ?? 'see roma.config.example.yaml',
    };
    // Go on with what still loads, so one bad value does not hide every other problem.
    const env = options.env ?? process.env;
    const wellKnownEnv = Object.fromEntries(Object.keys(WELL_KNOWN_ENV).map((name) => [name, env[name]]));
    for (const fallback of [
      { ...base, readFile: false },
      { ...base, readFile: false, env: wellKnownEnv },
    ]) {
      try {
        return { config: resolveConfig(fallback).config, loaded: null, outcome };
      } catch {}
    }
    return { config: defaultConfig(), loaded: null, outcome };
  }
}

/** Runs every check (probes in parallel, each bounded by `timeoutMs`) and returns them in table order. */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const { config, loaded, outcome: configOutcome } = loadForDoctor(options);
  const context: CheckContext = {
    config,
    loaded,
    cwd: options.cwd ?? process.cwd(),
    timeoutMs: options.timeoutMs ?? DEFAULT_DOCTOR_TIMEOUT_MS,
  };
  const { timeoutMs } = context;
  const skip = (detail: string): Outcome => ({ status: 'skip', detail });
  const redisUrl = config.cache.redisUrl;
  const databaseUrl = config.store.databaseUrl;
  const env = options.env ?? process.env;
  const [redis, store, migrations, bubblewrap, python, mlflow, otlp, ptcService, s3] = await Promise.all([
    redisUrl ? checkRedis(redisUrl, timeoutMs, config.queue.mode === 'bullmq') : null,
    databaseUrl ? checkPostgres(databaseUrl, timeoutMs) : checkSqlite(),
    databaseUrl
      ? checkPostgresMigrations(databaseUrl, timeoutMs)
      : skip('SQLite: migrated when opened (optional PostgreSQL: DATABASE_URL)'),
    checkBubblewrap(config, timeoutMs),
    checkPython(timeoutMs),
    config.server.mlflowTrackingUri
      ? checkMlflow(config, timeoutMs)
      : skip('not configured (optional: MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT)'),
    config.otel.endpoint
      ? checkOtlp(config, timeoutMs)
      : skip('not configured (optional: OTEL_EXPORTER_OTLP_ENDPOINT)'),
    config.ptc.serviceUrl
      ? // /stats, not /health: it needs the key, so a missing or wrong PTC_SERVICE_API_KEY shows here.
        checkHttp(config.ptc.serviceUrl, 'stats', timeoutMs, 'unset PTC_SERVICE_URL to run PTC in-process', {
          key: config.ptc.serviceApiKey,
          keyVariable: 'PTC_SERVICE_API_KEY',
        })
      : skip('in-process (optional: PTC_SERVICE_URL)'),
    config.store.s3Endpoint || config.store.s3Bucket
      ? checkS3Writable(config, timeoutMs)
      : skip('artifacts on local disk (optional: S3_ENDPOINT, S3_BUCKET)'),
  ]);
  const rows: Array<[string, string, Outcome]> = [
    ['Environment', 'Node.js ≥ 20', checkNodeVersion()],
    ['Configuration', 'config valid', configOutcome],
    ['Configuration', 'model configured', checkModel(config)],
    [
      'Infrastructure',
      'Redis reachable',
      redis?.reach ?? skip('not configured; in-memory cache (optional: REDIS_URL)'),
    ],
    [
      'Infrastructure',
      'Redis eviction policy',
      redis?.policy ?? skip('not configured (optional: REDIS_URL)'),
    ],
    ['Infrastructure', databaseUrl ? 'PostgreSQL reachable' : 'SQLite store', store],
    ['Infrastructure', 'PostgreSQL migrations', migrations],
    ['Infrastructure', 'data dir writable', checkDataDir(context)],
    ['Infrastructure', 'S3 bucket writable', s3],
    ['Infrastructure', 'MLflow + experiment', mlflow],
    ['Infrastructure', 'OTLP endpoint', otlp],
    ['Infrastructure', 'PTC service reachable', ptcService],
    ['Security', 'API keys for the bind address', checkApiKeys(config, env.ROMA_API_KEYS)],
    ['Sandbox', 'bubblewrap (bwrap)', bubblewrap],
    ['Sandbox', 'python3', python],
    ['Sandbox', 'Daytona API key', checkDaytona(config)],
  ];
  // Defence in depth: no probe's error text may carry a secret of the config to the terminal.
  const scrub = createSecretScrubber(loaded?.secrets ?? []);
  return rows.map(([category, check, outcome]) => ({
    category,
    check,
    status: outcome.status,
    detail: scrub(outcome.detail),
    ...(outcome.fix === undefined ? {} : { fix: scrub(outcome.fix) }),
  }));
}

const STATUS_LABELS: Record<CheckStatus, string> = {
  pass: '✓ PASS',
  fail: '✗ FAIL',
  warn: '⚠ WARN',
  skip: '- SKIP',
};

/** The checks as a plain-text table, then one summary line. */
export function renderDoctorTable(checks: readonly DoctorCheck[]): string {
  const header = ['Category', 'Check', 'Status', 'Detail', 'Fix'];
  const rows = checks.map((check) => [
    check.category,
    check.check,
    STATUS_LABELS[check.status],
    check.detail,
    check.status === 'fail' || check.status === 'warn' ? (check.fix ?? '') : '',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (column < 4 ? row[column]!.length : 0))),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column < cells.length - 1 ? cell.padEnd(widths[column]!) : cell))
      .join(' │ ')
      .trimEnd();
  const rule = widths.map((width, column) => '─'.repeat(column < 4 ? width : 3)).join('─┼─');
  const count = (status: CheckStatus): number => checks.filter((check) => check.status === status).length;
  const summary = `${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failed, ${count('skip')} skipped`;
  return [line(header), rule, ...rows.map(line), '', summary].join('\n');
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the whole stack (config, model, Redis, PostgreSQL + migrations, S3, MLflow, OTLP, PTC, API keys, sandboxes); exit 1 on failure',
    )
    .option('--json', 'print the checks as JSON')
    .option('--timeout-ms <ms>', 'bound on each probe', String(DEFAULT_DOCTOR_TIMEOUT_MS))
    .action(async (options: { json?: boolean; timeoutMs: string }, command: Command) => {
      const globals = command.optsWithGlobals() as { config?: string; profile?: string };
      const timeoutMs = parseIntegerOption('--timeout-ms', options.timeoutMs, { min: 1, max: 600_000 });
      const checks = await runDoctor({
        ...(globals.config === undefined ? {} : { configFile: globals.config }),
        ...(globals.profile === undefined ? {} : { profile: globals.profile }),
        timeoutMs,
      });
      console.log(options.json ? JSON.stringify(checks, null, 2) : renderDoctorTable(checks));
      if (checks.some((check) => check.status === 'fail')) process.exitCode = 1;
    });
}
