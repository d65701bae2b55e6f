// Runs the ArtifactStore conformance suite against a real S3-compatible server (s3rver) on 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeArtifactStoreConformance } from './artifact-store.conformance.js';
import { S3ArtifactStore } from './s3-artifact-store.js';

const BUCKET = 'roma-test';
// s3rver checks signatures against its fixed development credentials.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let server: S3rver;
let endpoint: string;
let directory: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'roma-s3rver-'));
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
});

describeArtifactStoreConformance('S3 (s3rver)', async () => {
  const keyPrefix = `test-${Date.now()}-${Math.random().toString(36).slice(2)}/`;
  const store = new S3ArtifactStore({ bucket: BUCKET, endpoint, keyPrefix, ...CREDENTIALS });
  return {
    store,
    scheme: `s3://${BUCKET}/`,
    missingUri: `s3://${BUCKET}/${keyPrefix}run/task/missing.txt`,
    cleanup: async () => store.close(),
  };
});

describe('S3ArtifactStore', () => {
  it('names the bucket in the uri and keys objects by execution, task and name', async () => {
    const store = new S3ArtifactStore({ bucket: BUCKET, endpoint, keyPrefix: 'layout/', ...CREDENTIALS });
    try {
      const artifact = await store.put({
        executionId: 'run-1',
        taskId: 'task-2',
        name: 'data.csv',
        mimeType: 'text/csv',
        bytes: new TextEncoder().encode('a,b\n1,2\n'),
      });
      expect(artifact.uri).toBe(`s3://${BUCKET}/layout/run-1/task-2/data.csv`);
      await expect(store.get(`s3://another-bucket/layout/run-1/task-2/data.csv`)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    } finally {
      store.close();
    }
  });

  it('says which setting to fix when the bucket does not exist', async () => {
    const store = new S3ArtifactStore({ bucket: 'no-such-bucket', endpoint, ...CREDENTIALS });
    try {
      const error = await store
        .put({
          executionId: 'r',
          taskId: 't',
          name: 'x.txt',
          mimeType: 'text/plain',
          bytes: new Uint8Array(1),
        })
        .catch((caught: unknown) => caught as { code: string; fix?: string });
      expect(error).toMatchObject({ code: 'STORE_FAILED' });
      expect((error as { fix?: string }).fix).toContain('S3_BUCKET');
    } finally {
      store.close();
    }
  });
});
