// The store capability: the execution event log (SQLite or PostgreSQL) and the artifact store (files or S3).
export { sanitizeSegment } from './artifact-names.js';
export type { ArtifactStore, PutArtifactInput } from './artifact-store.js';
export type {
  AppendOptions,
  CreateExecutionInput,
  ExecutionStore,
  FollowOptions,
  ListExecutionsOptions,
  ReadEventsOptions,
} from './execution-store.js';
export type { FileArtifactStoreOptions } from './file-artifact-store.js';
export { ARTIFACTS_DIR_NAME, FileArtifactStore } from './file-artifact-store.js';
export { DEFAULT_POLL_INTERVAL_MS } from './follow-events.js';
export type { OpenExecutionStoreOptions } from './open.js';
export { openArtifactStore, openExecutionStore } from './open.js';
export type { PostgresExecutionStoreOptions } from './postgres-execution-store.js';
export { DEFAULT_POSTGRES_SCHEMA, PostgresExecutionStore } from './postgres-execution-store.js';
export { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
export type { S3ArtifactStoreOptions } from './s3-artifact-store.js';
export { S3ArtifactStore } from './s3-artifact-store.js';
export type { SqliteExecutionStoreOptions } from './sqlite-execution-store.js';
export { SQLITE_FILE_NAME, SqliteExecutionStore } from './sqlite-execution-store.js';
export type { SummaryFoldContext } from './summary-fold.js';
export { foldSummary, initialSummary } from './summary-fold.js';
