// Chooses the store implementations from config; for `cli/` and `server/` wiring only (the engine takes interfaces).

import type { StoreConfig } from '../config/sections/store.js';
import { RomaError } from '../contracts/index.js';
import type { ArtifactStore } from './artifact-store.js';
import type { ExecutionStore } from './execution-store.js';
import { FileArtifactStore } from './file-artifact-store.js';
import { PostgresExecutionStore } from './postgres-execution-store.js';
import { S3ArtifactStore } from './s3-artifact-store.js';
import { SqliteExecutionStore } from './sqlite-execution-store.js';

interface OpenExecutionStoreOptions {
  /** PostgreSQL schema for the tables; `roma` by default (created when missing). */
  postgresSchema?: string;
  /** SQLite commit durability, over `store.sqliteSynchronous`; FULL by default (see SqliteExecutionStoreOptions). */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
}

type StoreSettings = Pick<StoreConfig, 'dataDir' | 'databaseUrl' | 'sqliteSynchronous'>;

/** PostgreSQL when `databaseUrl` (DATABASE_URL) is set, else the SQLite file `<dataDir>/roma.db`. */
export async function openExecutionStore(
  config: StoreSettings,
  options: OpenExecutionStoreOptions = {},
): Promise<ExecutionStore> {
  if (config.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
      throw new RomaError(
        'CONFIG_INVALID',
        'store.databaseUrl must start with postgres:// or postgresql://',
        {
          field: 'store.databaseUrl',
          fix: 'set DATABASE_URL to postgres://user:password@host:5432/database, or unset it to use SQLite',
        },
      );
    }
    return PostgresExecutionStore.open({
      connectionString: config.databaseUrl,
      ...(options.postgresSchema === undefined ? {} : { schema: options.postgresSchema }),
    });
  }
  const synchronous = options.sqliteSynchronous ?? config.sqliteSynchronous;
  return SqliteExecutionStore.open({
    dataDir: config.dataDir,
    ...(synchronous === undefined ? {} : { synchronous }),
  });
}

type ArtifactSettings = Pick<
  StoreConfig,
  'dataDir' | 's3Bucket' | 's3Endpoint' | 's3Region' | 's3AccessKeyId' | 's3SecretAccessKey'
>;

/** S3 (or MinIO at `s3Endpoint`) when `s3Bucket` (S3_BUCKET) is set, else files under `<dataDir>/artifacts`. */
export function openArtifactStore(config: ArtifactSettings): ArtifactStore {
  if (config.s3Bucket) {
    return new S3ArtifactStore({
      bucket: config.s3Bucket,
      region: config.s3Region,
      ...(config.s3Endpoint === undefined ? {} : { endpoint: config.s3Endpoint }),
      ...(config.s3AccessKeyId === undefined ? {} : { accessKeyId: config.s3AccessKeyId }),
      ...(config.s3SecretAccessKey === undefined ? {} : { secretAccessKey: config.s3SecretAccessKey }),
    });
  }
  if (config.s3Endpoint) {
    throw new RomaError('CONFIG_INVALID', 'store.s3Endpoint is set but store.s3Bucket is not', {
      field: 'store.s3Bucket',
      fix: 'set S3_BUCKET to the bucket for artifacts, or unset S3_ENDPOINT to keep them in files',
    });
  }
  return new FileArtifactStore({ dataDir: config.dataDir });
}
