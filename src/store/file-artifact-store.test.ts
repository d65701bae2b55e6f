// Runs the ArtifactStore conformance suite against local files in a temp dir, plus file-only checks.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeArtifactStoreConformance } from './artifact-store.conformance.js';
import { FileArtifactStore } from './file-artifact-store.js';

describeArtifactStoreConformance('files', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-artifacts-'));
  return {
    store: new FileArtifactStore({ dataDir }),
    scheme: 'file:',
    missingUri: pathToFileURL(join(dataDir, 'artifacts', 'run', 'task', 'missing.txt')).href,
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

describe('FileArtifactStore', () => {
  it('keeps files under <dataDir>/artifacts/<executionId>/<taskId>/<name>', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roma-artifacts-layout-'));
    try {
      const store = new FileArtifactStore({ dataDir });
      const artifact = await store.put({
        executionId: 'run-1',
        taskId: 'task-2',
        name: 'chart.svg',
        mimeType: 'image/svg+xml',
        bytes: new TextEncoder().encode('<svg/>'),
      });
      const path = join(dataDir, 'artifacts', 'run-1', 'task-2', 'chart.svg');
      expect(artifact.uri).toBe(pathToFileURL(path).href);
      expect(existsSync(path)).toBe(true);
      // The escape attempt lands inside the store, not two levels up.
      await store.put({
        executionId: 'run-1',
        taskId: 'task-2',
        name: '../../../outside.txt',
        mimeType: 'text/plain',
        bytes: new Uint8Array([1]),
      });
      expect(existsSync(join(dataDir, 'outside.txt'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to read a file:// uri outside the store, even one that exists', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roma-artifacts-outside-'));
    try {
      const secret = join(dataDir, 'secret.txt');
      writeFileSync(secret, 'secret');
      const store = new FileArtifactStore({ dataDir });
      await expect(store.get(pathToFileURL(secret).href)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        field: 'uri',
      });
      await expect(
        store.get(`${pathToFileURL(join(dataDir, 'artifacts')).href}/run/../../secret.txt`),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
