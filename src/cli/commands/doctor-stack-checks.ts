// The stack's checks of `roma doctor`: PostgreSQL migrations, S3 bucket writable, MLflow and its experiment,
// the OTLP endpoint, API keys for a non-loopback bind. Each bounded by the probe timeout.
import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { type RomaConfig, redactUrl } from '../../config/index.js';
import { isRomaError } from '../../contracts/index.js';
import { parseApiKeys } from '../../server/index.js';
import { DEFAULT_POSTGRES_SCHEMA, POSTGRES_MIGRATIONS } from '../../store/index.js';
import { MlflowClient } from '../../tracking/index.js';
import type { DoctorCheck } from './doctor-checks.js';

type Outcome = Omit<DoctorCheck, 'category' | 'check'>;

function messageOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = error instanceof Error ? error.message : String(error);
  return (cause?.code ?? cause?.message ?? message).split('\n')[0] || 'failed';
}

/** The schema's migrations against the ones this version of roma knows. */
export async function checkPostgresMigrations(url: string, timeoutMs: number): Promise<Outcome> {
  const latest = Math.max(...POSTGRES_MIGRATIONS.map((migration) => migration.version));
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const table = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
      `"${DEFAULT_POSTGRES_SCHEMA}".migrations`,
    ]);
    if (!table.rows[0]?.exists) {
      return {
        status: 'warn',
        detail: `schema ${DEFAULT_POSTGRES_SCHEMA}: no migrations yet`,
        fix: 'roma applies them when it first opens the store (e.g. `roma runs list`)',
      };
    }
    const applied = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM "${DEFAULT_POSTGRES_SCHEMA}".migrations`,
    );
    const version = Number(applied.rows[0]?.version ?? 0);
    if (version > latest) {
      return {
        status: 'fail',
        detail: `schema ${DEFAULT_POSTGRES_SCHEMA} is at migration ${version}, newer than this roma (${latest})`,
        fix: 'upgrade roma to the version that migrated this database',
      };
    }
    if (version < latest) {
      return {
        status: 'warn',
        detail: `schema ${DEFAULT_POSTGRES_SCHEMA} at migration ${version} of ${latest}`,
        fix: 'roma applies the rest when it next opens the store (e.g. `roma runs list`)',
      };
    }
    return { status: 'pass', detail: `schema ${DEFAULT_POSTGRES_SCHEMA}: ${version}/${latest} applied` };
  } catch (error) {
    // The PostgreSQL row already fails with the fix; one failure, not two.
    return { status: 'skip', detail: `not checked: ${messageOf(error)}` };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Writes and deletes one small object: the bucket exists and the credentials may write to it. */
export async function checkS3Writable(config: RomaConfig, timeoutMs: number): Promise<Outcome> {
  const { s3Bucket: bucket, s3Endpoint: endpoint } = config.store;
  if (!bucket) {
    return {
      status: 'fail',
      detail: 'S3_ENDPOINT set without S3_BUCKET',
      fix: 'set S3_BUCKET, or unset S3_ENDPOINT',
    };
  }
  const client = new S3Client({
    region: config.store.s3Region,
    maxAttempts: 1,
    forcePathStyle: endpoint !== undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint ? { endpoint } : {}),
    ...(config.store.s3AccessKeyId && config.store.s3SecretAccessKey
      ? {
          credentials: {
            accessKeyId: config.store.s3AccessKeyId,
            secretAccessKey: config.store.s3SecretAccessKey,
          },
        }
      : {}),
  });
  const key = `.roma-doctor/${randomUUID()}`;
  const where = `${endpoint ? `${redactUrl(endpoint)} ` : ''}bucket ${bucket}`;
  try {
    const abortSignal = AbortSignal.timeout(timeoutMs);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'ok' }), { abortSignal });
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
    return { status: 'pass', detail: `${where}: writable` };
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    return {
      status: 'fail',
      detail: `${where}: ${name && name !== 'Error' ? `${name}: ` : ''}${messageOf(error)}`,
      fix:
        name === 'NoSuchBucket'
          ? `create the bucket (docker compose runs minio-setup; or \`mc mb <alias>/${bucket}\`)`
          : 'start the S3 service, check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or unset S3_ENDPOINT and S3_BUCKET',
    };
  } finally {
    client.destroy();
  }
}

/** MLflow answers, and whether the experiment exists (it is created at the first run when not). */
export async function checkMlflow(config: RomaConfig, timeoutMs: number): Promise<Outcome> {
  const uri = config.server.mlflowTrackingUri!;
  const experiment = config.tracking.mlflowExperiment;
  try {
    const id = await new MlflowClient(uri).findExperiment(experiment, AbortSignal.timeout(timeoutMs));
    return {
      status: 'pass',
      detail: `${redactUrl(uri)}: experiment ${experiment} ${id === null ? 'is created at the first run' : `(id ${id})`}`,
    };
  } catch (error) {
    return {
      status: 'fail',
      detail: `${redactUrl(uri)}: ${messageOf(error)}`,
      fix: 'start MLflow (docker compose up -d mlflow) or unset MLFLOW_TRACKING_URI; runs never wait for it',
    };
  }
}

/** An empty OTLP/HTTP JSON export: a collector answers 2xx. */
export async function checkOtlp(config: RomaConfig, timeoutMs: number): Promise<Outcome> {
  const base = config.otel.endpoint!.replace(/\/+$/, '');
  const target = base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (!response.ok) {
      return {
        status: 'fail',
        detail: `${redactUrl(target)}: HTTP ${response.status}`,
        fix: 'point OTEL_EXPORTER_OTLP_ENDPOINT at an OTLP/HTTP collector (port 4318), or unset it',
      };
    }
    return { status: 'pass', detail: `${redactUrl(target)}: HTTP ${response.status}` };
  } catch (error) {
    return {
      status: 'fail',
      detail: `${redactUrl(target)}: ${messageOf(error)}`,
      fix: 'start the collector or unset OTEL_EXPORTER_OTLP_ENDPOINT; runs never wait for it',
    };
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** `roma serve` beyond loopback needs API keys. */
export function checkApiKeys(config: RomaConfig, rawKeys: string | undefined): Outcome {
  let count = 0;
  try {
    count = parseApiKeys(rawKeys).size;
  } catch (error) {
    if (!isRomaError(error)) throw error;
    return { status: 'fail', detail: error.message, fix: error.fix ?? 'fix ROMA_API_KEYS' };
  }
  const host = config.server.host;
  if (LOOPBACK.has(host)) {
    return {
      status: 'pass',
      detail: `${host} (loopback)${count ? `; ${count} API key(s)` : '; no keys needed'}`,
    };
  }
  return count > 0
    ? { status: 'pass', detail: `${host}; ${count} API key(s) from ROMA_API_KEYS` }
    : {
        status: 'fail',
        detail: `server.host ${host} is not loopback and ROMA_API_KEYS is empty`,
        fix: 'set ROMA_API_KEYS (`openssl rand -hex 24`, comma-separated), or bind 127.0.0.1',
      };
}
