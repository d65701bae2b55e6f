// ArtifactStore: where files produced by tasks are kept (local files by default, S3/MinIO by config).
import type { Artifact } from '../contracts/index.js';

export interface PutArtifactInput {
  executionId: string;
  taskId: string;
  name: string;
  mimeType: string;
  bytes: Uint8Array;
}

export interface ArtifactStore {
  /** Stores the bytes and returns the artifact record, with `sha256` of the bytes and a `uri` to get them. */
  put(input: PutArtifactInput): Promise<Artifact>;
  /** NOT_FOUND when nothing is stored at `uri`. */
  get(uri: string): Promise<Uint8Array>;
  list(executionId: string): Promise<Artifact[]>;
}
