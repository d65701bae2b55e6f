// Native rehearsal of docker-compose.yaml (no Docker daemon here): starts what the compose file describes, with
// the env it gives each service (and the image's ENV) — redis-server loading docker/redis.conf, the local
// PostgreSQL (a database of its own), s3rver for MinIO (with the buckets minio-setup makes), a loopback MLflow
// double, then `roma ptc serve`, `roma serve` and `roma worker` with their compose commands, as
// `ROMA_QUEUE=bullmq docker compose --profile worker up` starts them — runs the demo goal through the API (queued,
// so the worker runs it) and checks the run in PostgreSQL, its artifacts in the bucket, its MLflow run, and that
// `roma doctor` in roma-api's environment passes every row of the stack.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, runRomaAsync } from '../../src/cli/commands/cli-test-support.js';
import type { DoctorCheck } from '../../src/cli/commands/doctor.js';
import { defaultConfig } from '../../src/config/index.js';
import { type DemoModel, startDemoModel } from '../../src/dev/index.js';
import { openRunQueue } from '../../src/queue/index.js';
import { type MlflowDouble, startMlflowDouble } from '../support/mlflow/index.js';
import { type ComposeService, interpolate, parseDockerfile, ROOT, readCompose } from './stack-files.js';

const ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const compose = readCompose();

/** The `ENV` of the roma image's last stage: containers start with it under compose's `environment`. */
function imageEnv(): Record<string, string> {
  const instructions = parseDockerfile(readFileSync(`${ROOT}Dockerfile`, 'utf8'));
  const lastFrom = instructions.map((item) => item.instruction).lastIndexOf('FROM');
  const env: Record<string, string> = {};
  for (const { instruction, args } of instructions.slice(lastFrom)) {
    if (instruction !== 'ENV') continue;
    for (const [, name, value] of args.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)) env[name!] = value!;
  }
  return env;
}

interface Stack {
  dotEnv: Record<string, string>;
  redisUrl: string;
  databaseName: string;
  s3Endpoint: string;
  mlflow: MlflowDouble;
  demo: DemoModel;
  apiUrl: string;
  apiEnv: Record<string, string>;
  dataDir: string;
  children: ChildProcess[];
  logs: string[];
}

const stack: Partial<Stack> & { children: ChildProcess[]; logs: string[] } = { children: [], logs: [] };
let s3: S3rver | undefined;

async function waitFor(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve(probe()).catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms:\n${stack.logs.join('').slice(-3000)}`);
}

function start(name: string, command: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => stack.logs.push(`[${name}] ${chunk}`));
  child.stderr?.on('data', (chunk: Buffer) => stack.logs.push(`[${name}] ${chunk}`));
  stack.children.push(child);
  return child;
}

/** A roma service's env as compose gives it, with the stack's host names mapped to where they run here. */
function serviceEnv(
  service: ComposeService,
  hosts: Record<string, string>,
  dotEnv: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NO_COLOR: '1',
    ...imageEnv(),
  };
  for (const [variable, raw] of Object.entries(service.environment ?? {})) {
    let value = interpolate(String(raw), dotEnv);
    for (const [host, replacement] of Object.entries(hosts))
      value = value.replace(new RegExp(`(//|@)${host}:\\d+`), `$1${replacement}`);
    if (value !== '') env[variable] = value;
  }
  return env;
}

/** `roma <compose command>`, host 0.0.0.0 → 127.0.0.1 and the port → a free one (as a port mapping would). */
function romaArgs(service: ComposeService, port: number): string[] {
  const command = [...(service.command as string[])];
  const host = command.indexOf('--host');
  if (host >= 0) command[host + 1] = '127.0.0.1';
  const portIndex = command.indexOf('--port');
  if (portIndex >= 0) command[portIndex + 1] = String(port);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, join(ROOT, 'src/cli/main.ts'), ...command];
}

beforeAll(async () => {
  if (!hasRedisServer) return;
  const redisPort = await closedPort();
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-rehearsal-'));
  stack.dataDir = dataDir;
  // The .env a team would write (s3rver only knows its own development credentials).
  const dotEnv: Record<string, string> = {
    REDIS_PASSWORD: `rehearsal-${Math.random().toString(36).slice(2)}`,
    POSTGRES_PASSWORD: 'unused-local-trust',
    MINIO_ROOT_USER: 'S3RVER',
    MINIO_ROOT_PASSWORD: 'S3RVER',
    ROMA_API_KEYS: `rehearsal-key-${'x'.repeat(32)}`,
    PTC_SERVICE_API_KEY: `rehearsal-ptc-key-${'y'.repeat(32)}`,
    ROMA_LOG_LEVEL: 'warn',
    // Runs go to the worker service (README: `ROMA_QUEUE=bullmq docker compose --profile worker up`).
    ROMA_QUEUE: 'bullmq',
  };
  stack.dotEnv = dotEnv;

  // redis: its compose command, the mounted docker/redis.conf in place of the container path.
  const redis = compose.services.redis!;
  const mount = redis.volumes!.find((volume) => volume.includes('redis.conf'))!.split(':');
  const redisArgs = (redis.command as string[])
    .slice(1)
    .map((arg) => (arg === mount[1] ? join(ROOT, mount[0]!) : interpolate(arg, dotEnv)));
  start('redis', 'redis-server', [...redisArgs, '--port', String(redisPort), '--bind', '127.0.0.1'], {
    PATH: process.env.PATH ?? '',
  });
  const redisHealth = redis.healthcheck!.test!.slice(1);
  await waitFor('redis (compose healthcheck)', () =>
    spawnSync(redisHealth[0]!, ['-p', String(redisPort), ...redisHealth.slice(1)], {
      env: {
        PATH: process.env.PATH ?? '',
        REDISCLI_AUTH: interpolate(redis.environment!.REDISCLI_AUTH!, dotEnv),
      },
      encoding: 'utf8',
    }).stdout.includes('PONG'),
  );
  stack.redisUrl = `redis://:${dotEnv.REDIS_PASSWORD}@127.0.0.1:${redisPort}`;

  // postgres: the local server, a database of this run's own.
  const databaseName = `roma_rehearsal_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  stack.databaseName = databaseName;

  // minio → s3rver, with the buckets minio-setup creates.
  const bucket = interpolate(compose.services['roma-api']!.environment!.S3_BUCKET!, dotEnv);
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(dataDir, 's3'),
    configureBuckets: [{ name: bucket }, { name: 'mlflow' }],
  });
  const s3Port = (await s3.run()).port;
  stack.s3Endpoint = `http://127.0.0.1:${s3Port}`;

  // mlflow → the loopback REST double.
  const mlflow = await startMlflowDouble();
  stack.mlflow = mlflow;
  // The model: the demo's scripted server, reached through the compose env's OPENAI_* and ROMA_MODEL.
  const demo = await startDemoModel({ latencyMs: 1 });
  stack.demo = demo;
  Object.assign(dotEnv, {
    ROMA_MODEL: demo.modelId,
    OPENAI_API_KEY: 'rehearsal-model-key',
    OPENAI_BASE_URL: demo.server.openaiBaseUrl,
  });

  const ptcPort = await closedPort();
  const apiPort = await closedPort();
  const hosts = {
    redis: `127.0.0.1:${redisPort}`,
    minio: `127.0.0.1:${s3Port}`,
    mlflow: mlflow.url.replace('http://', ''),
    ptc: `127.0.0.1:${ptcPort}`,
  };
  const roma = (name: string, port: number) => {
    const service = compose.services[name]!;
    const env = serviceEnv(service, hosts, dotEnv);
    // Native stand-ins: the local PostgreSQL (trust auth) for the compose one; the image's ENV.
    env.DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${databaseName}`;
    env.ROMA_DATA_DIR = join(dataDir, name);
    start(name, process.execPath, romaArgs(service, port), env);
    return env;
  };
  roma('ptc', ptcPort);
  await waitFor('ptc /health', async () => (await fetch(`http://127.0.0.1:${ptcPort}/health`)).ok);
  stack.apiEnv = roma('roma-api', apiPort);
  // `--profile worker`: the worker service is started too, and takes the runs roma-api queues.
  expect(compose.services.worker!.profiles).toEqual(['worker']);
  roma('worker', 0);
  stack.apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitFor('roma-api /health', async () => (await fetch(`${stack.apiUrl}/health`)).ok);
}, 180_000);

afterAll(async () => {
  for (const child of stack.children) child.kill('SIGTERM');
  await Promise.all(
    stack.children.map(
      (child) =>
        new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
    ),
  );
  await stack.mlflow?.close();
  await stack.demo?.close();
  await s3?.close();
  if (stack.databaseName) {
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${stack.databaseName} WITH (FORCE)`);
    await admin.end();
  }
  if (stack.dataDir) rmSync(stack.dataDir, { recursive: true, force: true });
}, 60_000);

describe('the compose stack, rehearsed natively', () => {
  it.skipIf(!hasRedisServer)(
    'runs the demo through the API: the run in PostgreSQL, its artifacts in the bucket, its MLflow run',
    async () => {
      const { apiUrl, dotEnv, demo, databaseName, s3Endpoint, mlflow } = stack as Stack;
      const headers = { authorization: `Bearer ${dotEnv.ROMA_API_KEYS}`, 'content-type': 'application/json' };
      const accepted = await fetch(`${apiUrl}/api/v1/executions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ goal: demo.goal }),
      });
      expect(accepted.status, await accepted.clone().text()).toBe(202);
      const { id } = (await accepted.json()) as { id: string };
      let status = 'RUNNING';
      await waitFor('the run to end', async () => {
        const response = await fetch(`${apiUrl}/api/v1/executions/${id}`, { headers });
        status = ((await response.json()) as { status: string }).status;
        return status !== 'RUNNING';
      });
      expect(status).toBe('COMPLETED');

      // The worker ran it: roma-api queued the run as a BullMQ job, and one worker completed that job.
      const queue = openRunQueue({ redisUrl: stack.redisUrl!, prefix: defaultConfig().queue.prefix });
      try {
        expect(await queue.counts()).toMatchObject({ completed: 1, failed: 0, waiting: 0, active: 0 });
      } finally {
        await queue.close();
      }

      // PostgreSQL: the run and its event log, in roma's schema of the stack's database.
      const client = new pg.Client({
        connectionString: `postgres://postgres@127.0.0.1:5432/${databaseName}`,
      });
      await client.connect();
      try {
        const execution = await client.query('SELECT status FROM roma.executions WHERE id = $1', [id]);
        expect(execution.rows[0]?.status).toBe('COMPLETED');
        const events = await client.query(
          'SELECT count(*)::int AS count FROM roma.events WHERE execution_id = $1',
          [id],
        );
        expect(events.rows[0].count).toBeGreaterThan(10);
      } finally {
        await client.end();
      }

      // The bucket: the run's artifacts (the LLM-cache entries it used, saved with it through Redis).
      const s3Client = new S3Client({
        endpoint: s3Endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      const listed = await s3Client.send(
        new ListObjectsV2Command({
          Bucket: interpolate(compose.services['roma-api']!.environment!.S3_BUCKET!, dotEnv),
        }),
      );
      s3Client.destroy();
      expect(
        (listed.Contents ?? []).map((object) => object.Key).filter((key) => key?.includes(id)).length,
      ).toBeGreaterThan(0);

      // MLflow: the run, finished, with its metrics and event log.
      await waitFor('the MLflow run to finish', () =>
        mlflow
          .runsOfExecution(id)
          .some((run) => run.status === 'FINISHED' && !run.tags.has('mlflow.parentRunId')),
      );
      const topRuns = mlflow
        .runsOfExecution(id)
        .filter((candidate) => !candidate.tags.has('mlflow.parentRunId'));
      // Tracked once, by the process that ran it (not also by the API that queued it).
      expect(topRuns).toHaveLength(1);
      const run = topRuns[0]!;
      expect(run.params.get('goal')).toBe(demo.goal);
      expect(run.metrics.get('tokens_total')).toBeGreaterThan(0);
      expect(run.artifacts.has('events.jsonl')).toBe(true);
      expect(
        mlflow.experiments.has(
          interpolate(compose.services['roma-api']!.environment!.MLFLOW_EXPERIMENT!, dotEnv),
        ),
      ).toBe(true);
    },
    180_000,
  );

  it.skipIf(!hasRedisServer)(
    'roma doctor, run as `docker compose exec roma-api roma doctor` would, passes every row of the stack',
    async () => {
      const run = await runRomaAsync(['doctor', '--json'], { cwd: stack.dataDir!, env: stack.apiEnv! });
      expect(run.status, run.stderr).toBe(0);
      const checks = JSON.parse(run.stdout) as DoctorCheck[];
      expect(checks.filter((check) => check.status === 'fail')).toEqual([]);
      const status = (name: string) => checks.find((check) => check.check === name)?.status;
      for (const name of [
        'config valid',
        'model configured',
        'Redis reachable',
        'PostgreSQL reachable',
        'PostgreSQL migrations',
        'S3 bucket writable',
        'MLflow + experiment',
        'PTC service reachable',
        // The image binds 0.0.0.0 (ROMA_SERVER_HOST); ROMA_API_KEYS from .env make that safe.
        'API keys for the bind address',
      ]) {
        expect(status(name), name).toBe('pass');
      }
      // docker/redis.conf evicts (a noeviction cache would refuse writes when full).
      expect(status('Redis eviction policy')).toBe('pass');
      // No OTLP endpoint in .env: skipped, not failed.
      expect(status('OTLP endpoint')).toBe('skip');
    },
    60_000,
  );
});
