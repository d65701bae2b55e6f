// `roma doctor` against the machine's real Redis and PostgreSQL, and against ports nothing listens on.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, runRoma } from './cli-test-support.js';
import { type DoctorCheck, renderDoctorTable, runDoctor } from './doctor.js';

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

let mlflow: Server;
let mlflowUrl: string;
beforeAll(async () => {
  mlflow = createServer((request, response) => {
    response.writeHead(request.url === '/health' ? 200 : 404).end('OK');
  });
  await new Promise<void>((resolve) => mlflow.listen(0, '127.0.0.1', resolve));
  const address = mlflow.address();
  mlflowUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => mlflow.close(() => resolve()));
});

describe('runDoctor', () => {
  it('passes against the real Redis, PostgreSQL and an MLflow stand-in', async () => {
    const checks = await runDoctor({
      cwd,
      env: {
        REDIS_URL,
        DATABASE_URL,
        MLFLOW_TRACKING_URI: mlflowUrl,
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
    expect(find(checks, 'MLflow reachable').status).toBe('pass');
    expect(checks.filter((check) => check.status === 'fail')).toEqual([]);
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
    const check = find(checks, 'MLflow reachable');
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
  });

  it('exits 0 when nothing fails', () => {
    const run = runRoma(['doctor'], { cwd, env: { REDIS_URL, DATABASE_URL } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('0 failed');
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
