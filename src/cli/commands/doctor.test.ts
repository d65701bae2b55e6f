// `roma doctor` against the machine's real Redis and PostgreSQL, and against ports nothing listens on.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import S3rver from 's3rver';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MlflowDouble, startMlflowDouble } from '../../../test/support/mlflow/index.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../../test/support/otlp/index.js';
import { openExecutionStore } from '../../store/index.js';
import { closedPort, runRoma } from './cli-test-support.js';
import { type DoctorCheck, renderDoctorTable, runDoctor } from './doctor.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REDIS_URL = 'redis://127.0.0.1:6379';
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'roma-doctor-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function find(checks: DoctorCheck[], name: string): DoctorCheck {
  const check = checks.find((candidate) => candidate.check === name);
  if (!check) throw new Error(`no check named ${name}: ${checks.map((c) => c.check).join(', ')}`);
  return check;
}

let mlflow: MlflowDouble;
let mlflowUrl: string;
let otlp: OtlpReceiver;
let s3: S3rver;
let s3Endpoint: string;
let s3Directory: string;
/** Stands in for `roma ptc serve` with a key: /health is open, everything else needs the bearer key. */
let ptcService: Server;
let ptcUrl: string;
const PTC_KEY = 'p'.repeat(32);
beforeAll(async () => {
  ptcService = createServer((request, response) => {
    if (request.url !== '/health' && request.headers.authorization !== `Bearer ${PTC_KEY}`) {
      response.statusCode = 401;
      response.end('{"error":{"code":"UNAUTHORIZED","message":"missing or wrong bearer key"}}');
      return;
    }
    response.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => ptcService.listen(0, '127.0.0.1', resolve));
  ptcUrl = `http://127.0.0.1:${(ptcService.address() as { port: number }).port}`;
  mlflow = await startMlflowDouble();
  mlflowUrl = mlflow.url;
  otlp = await startOtlpReceiver();
  s3Directory = mkdtempSync(join(tmpdir(), 'roma-doctor-s3-'));
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: s3Directory,
    configureBuckets: [{ name: 'roma-doctor' }],
  });
  s3Endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  // The PostgreSQL schema is migrated as roma would on first use.
  const store = await openExecutionStore({
    dataDir: s3Directory,
    databaseUrl: DATABASE_URL,
    sqliteSynchronous: undefined,
  } as never);
  await store.close();
});
afterAll(async () => {
  await new Promise((resolve) => ptcService.close(resolve));
  await mlflow.close();
  await otlp.close();
  await s3.close();
  rmSync(s3Directory, { recursive: true, force: true });
});

const S3_ENV = { S3_BUCKET: 'roma-doctor', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

describe('runDoctor', () => {
  it('passes against the whole stack: Redis, PostgreSQL, S3, MLflow, OTLP, API keys on a public bind', async () => {
    const checks = await runDoctor({
      cwd,
      env: {
        REDIS_URL,
        DATABASE_URL,
        ...S3_ENV,
        S3_ENDPOINT: s3Endpoint,
        MLFLOW_TRACKING_URI: mlflowUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        PTC_SERVICE_URL: ptcUrl,
        PTC_SERVICE_API_KEY: PTC_KEY,
        ROMA_SERVER_HOST: '0.0.0.0',
        ROMA_API_KEYS: 'k'.repeat(40),
        ROMA_MODEL: 'openai:gpt-test',
        OPENAI_API_KEY: 'sk-test-1234',
      },
    });
    expect(find(checks, 'Node.js ≥ 20').status).toBe('pass');
    expect(find(checks, 'config valid').status).toBe('pass');
    expect(find(checks, 'model configured').status).toBe('pass');
    expect(find(checks, 'Redis reachable')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('PONG'),
    });
    expect(['pass', 'warn']).toContain(find(checks, 'Redis eviction policy').status);
    expect(find(checks, 'PostgreSQL reachable')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('PostgreSQL'),
    });
    expect(find(checks, 'data dir writable').status).toBe('pass');
    expect(find(checks, 'PostgreSQL migrations')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/applied/),
    });
    expect(find(checks, 'S3 bucket writable')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('writable'),
    });
    expect(find(checks, 'MLflow + experiment').status).toBe('pass');
    expect(find(checks, 'OTLP endpoint').status).toBe('pass');
    expect(otlp.bodies.length).toBeGreaterThan(0);
    expect(find(checks, 'PTC service reachable')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('/stats: HTTP 200'),
    });
    expect(find(checks, 'API keys for the bind address').status).toBe('pass');
    expect(checks.filter((check) => check.status === 'fail')).toEqual([]);
  });

  it("fails the PTC service row when PTC_SERVICE_API_KEY is missing or not the service's key", async () => {
    for (const key of [undefined, 'w'.repeat(32)]) {
      const checks = await runDoctor({
        cwd,
        env: { PTC_SERVICE_URL: ptcUrl, ...(key ? { PTC_SERVICE_API_KEY: key } : {}) },
      });
      expect(find(checks, 'PTC service reachable')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('HTTP 401'),
        fix: expect.stringContaining('PTC_SERVICE_API_KEY'),
      });
    }
  });

  it('fails each stack row with its fix: no bucket, no API keys on a public bind, no collector, no PTC service', async () => {
    const port = await closedPort();
    const checks = await runDoctor({
      cwd,
      env: {
        ...S3_ENV,
        S3_BUCKET: 'no-such-bucket',
        S3_ENDPOINT: s3Endpoint,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        PTC_SERVICE_URL: `http://127.0.0.1:${port}`,
        ROMA_SERVER_HOST: '0.0.0.0',
      },
    });
    expect(find(checks, 'PTC service reachable')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('PTC_SERVICE_URL'),
    });
    expect(find(checks, 'S3 bucket writable')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('create the bucket'),
    });
    expect(find(checks, 'API keys for the bind address')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('ROMA_API_KEYS'),
    });
    expect(find(checks, 'OTLP endpoint')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT'),
    });
  });

  it('skips every unconfigured optional service and says how to enable it', async () => {
    const checks = await runDoctor({ cwd, env: {} });
    for (const [name, variable] of [
      ['Redis reachable', 'REDIS_URL'],
      ['PostgreSQL migrations', 'DATABASE_URL'],
      ['S3 bucket writable', 'S3_ENDPOINT'],
      ['MLflow + experiment', 'MLFLOW_TRACKING_URI'],
      ['OTLP endpoint', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
      ['PTC service reachable', 'PTC_SERVICE_URL'],
    ]) {
      expect(find(checks, name!)).toMatchObject({
        status: 'skip',
        detail: expect.stringContaining(variable!),
      });
    }
    // Every skipped row names the variable that would enable it.
    for (const check of checks.filter((candidate) => candidate.status === 'skip'))
      expect(check.detail, check.check).toMatch(/optional[^)]*\b[A-Z][A-Z0-9_]{3,}\b/);
    expect(find(checks, 'API keys for the bind address').status).toBe('pass');
  });

  it('fails with the fix shown when Redis and PostgreSQL ports are wrong', async () => {
    const port = await closedPort();
    const checks = await runDoctor({
      cwd,
      env: {
        REDIS_URL: `redis://:redis-pw-secret@127.0.0.1:${port}`,
        DATABASE_URL: `postgres://postgres:pg-pw-secret@127.0.0.1:${port}/test`,
      },
    });
    const redis = find(checks, 'Redis reachable');
    expect(redis.status).toBe('fail');
    expect(redis.fix).toContain('REDIS_URL');
    expect(find(checks, 'Redis eviction policy').status).toBe('skip');
    const postgres = find(checks, 'PostgreSQL reachable');
    expect(postgres.status).toBe('fail');
    expect(postgres.fix).toContain('DATABASE_URL');
    const table = renderDoctorTable(checks);
    expect(table).toContain('✗ FAIL');
    expect(table).toContain(redis.fix);
    expect(table).not.toContain('redis-pw-secret');
    expect(table).not.toContain('pg-pw-secret');
    expect(table).toMatch(/\d+ passed, \d+ warnings, 2 failed, \d+ skipped/);
  });

  it('warns, not fails, when no model is configured, and says how', async () => {
    const checks = await runDoctor({ cwd, env: {} });
    const model = find(checks, 'model configured');
    expect(model.status).toBe('warn');
    expect(model.fix).toContain('ROMA_MODEL');
    expect(find(checks, 'SQLite store').status).toBe('pass');
    expect(find(checks, 'Redis reachable').status).toBe('skip');
  });

  it('fails the config check on a bad value and still runs the others', async () => {
    const checks = await runDoctor({ cwd, env: { ROMA_ENGINE_MAX_DEPTH: '99', REDIS_URL } });
    const config = find(checks, 'config valid');
    expect(config.status).toBe('fail');
    expect(config.detail).toContain('engine.maxDepth');
    expect(config.fix).toContain('from 0 to 10');
    expect(find(checks, 'Redis reachable').status).toBe('pass');
  });

  it('fails the MLflow check when nothing answers', async () => {
    const port = await closedPort();
    const checks = await runDoctor({ cwd, env: { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` } });
    const check = find(checks, 'MLflow + experiment');
    expect(check.status).toBe('fail');
    expect(check.fix).toContain('MLFLOW_TRACKING_URI');
  });
});

describe('roma doctor (CLI)', () => {
  it('prints the table and exits 1 with the fix beside a failure', async () => {
    const port = await closedPort();
    const run = runRoma(['doctor', '--timeout-ms', '2000'], {
      cwd,
      env: { REDIS_URL: `redis://127.0.0.1:${port}` },
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/Category\s+│ Check\s+│ Status/);
    const redisLine = run.stdout.split('\n').find((line) => line.includes('Redis reachable')) ?? '';
    expect(redisLine).toContain('✗ FAIL');
    expect(redisLine).toContain('start Redis');
    expect(redisLine).toContain('REDIS_URL');
    // That row fails, and only it.
    expect(run.stdout.split('\n').filter((line) => line.includes('✗ FAIL'))).toEqual([redisLine]);
    expect(run.stdout).toMatch(/, 1 failed,/);
  });

  it('exits 0 when nothing fails', () => {
    const run = runRoma(['doctor'], { cwd, env: { REDIS_URL, DATABASE_URL } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('0 failed');
  });

  it('in a fresh clone of the repository, with nothing configured, prints the table and passes', (ctx) => {
    const clone = join(cwd, 'clone');
    const cloned = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], {
      encoding: 'utf8',
    });
    // CI's Node 22/24 legs run from a copy of the tree that is not a git repository.
    if (cloned.status !== 0) ctx.skip();
    const run = runRoma(['doctor'], { cwd: clone, env: {} });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Category\s+│ Check\s+│ Status\s+│ Detail/);
    expect(run.stdout).toMatch(/\d+ passed, \d+ warnings, 0 failed, \d+ skipped/);
    // Each unconfigured service is skipped and its row says which variable enables it.
    for (const [name, variable] of [
      ['Redis reachable', 'REDIS_URL'],
      ['S3 bucket writable', 'S3_ENDPOINT'],
      ['MLflow + experiment', 'MLFLOW_TRACKING_URI'],
      ['OTLP endpoint', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
      ['PTC service reachable', 'PTC_SERVICE_URL'],
    ]) {
      const line = run.stdout.split('\n').find((candidate) => candidate.includes(name!)) ?? '';
      expect(line, name).toContain('- SKIP');
      expect(line, name).toContain(variable);
    }
  });

  it('--json prints the checks as JSON, and nothing configured passes', () => {
    const run = runRoma(['doctor', '--json'], { cwd, env: {} });
    expect(run.status).toBe(0);
    const checks = JSON.parse(run.stdout) as DoctorCheck[];
    expect(checks.find((check) => check.check === 'MLflow + experiment')?.status).toBe('skip');
    expect(checks.filter((check) => check.status === 'fail')).toEqual([]);
  });
});

describe('Redis eviction policy with queued runs', () => {
  let redis: ChildProcess | undefined;
  afterEach(() => {
    redis?.kill('SIGTERM');
    redis = undefined;
  });

  it('passes docker/redis.conf (volatile-lru); warns about allkeys-lru only when runs are queued on it', async (ctx) => {
    if (spawnSync('redis-server', ['--version']).status !== 0) ctx.skip();
    const port = await closedPort();
    redis = spawn(
      'redis-server',
      [
        join(ROOT, 'docker/redis.conf'),
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--protected-mode',
        'no',
      ],
      { stdio: 'ignore' },
    );
    const url = `redis://127.0.0.1:${port}`;
    const policy = async (queue: string) =>
      find(await runDoctor({ cwd, env: { REDIS_URL: url, ROMA_QUEUE: queue } }), 'Redis eviction policy');
    let shipped = await policy('bullmq');
    for (let tries = 0; tries < 50 && shipped.status === 'skip'; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      shipped = await policy('bullmq');
    }
    expect(shipped).toMatchObject({ status: 'pass', detail: 'maxmemory-policy volatile-lru' });

    spawnSync('redis-cli', ['-p', String(port), 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']);
    expect(await policy('bullmq')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('may evict queued runs'),
      fix: expect.stringContaining('volatile-lru'),
    });
    expect((await policy('inline')).status).toBe('pass');
  });
});

describe('model check', () => {
  it('fails with the fix when the model needs a key that is missing', async () => {
    const checks = await runDoctor({ cwd, env: { ROMA_MODEL: 'anthropic:claude-x' } });
    const model = find(checks, 'model configured');
    expect(model.status).toBe('fail');
    expect(model.fix).toContain('ANTHROPIC_API_KEY');
  });

  it('fails on a model id without a known provider', async () => {
    const checks = await runDoctor({ cwd, env: { ROMA_MODEL: 'gpt-4o' } });
    expect(find(checks, 'model configured').status).toBe('fail');
  });
});
