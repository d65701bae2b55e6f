// The store capability: the execution event log (SQLite or PostgreSQL) and the artifact store (files or S3).
export type { ArtifactStore } from './artifact-store.js';
export type { ExecutionStore } from './execution-store.js';
export { openArtifactStore, openExecutionStore } from './open.js';
export { DEFAULT_POSTGRES_SCHEMA, PostgresExecutionStore } from './postgres-execution-store.js';
export { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
export { SqliteExecutionStore } from './sqlite-execution-store.js';
