// The one behaviour suite every ArtifactStore must pass (local files and a real S3-compatible server).
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactSchema } from '../contracts/index.js';
import type { ArtifactStore } from './artifact-store.js';
import { caught } from './testing/caught-error.js';

interface ArtifactStoreHarness {
  store: ArtifactStore;
  /** The uri scheme the store hands out, `file:` or `s3:`. */
  scheme: string;
  /** A uri in the store's own namespace where nothing is stored. */
  missingUri: string;
  cleanup(): Promise<void>;
}

export function describeArtifactStoreConformance(
  name: string,
  createHarness: () => Promise<ArtifactStoreHarness>,
) {
  describe(`ArtifactStore conformance: ${name}`, () => {
    let harness: ArtifactStoreHarness;
    let executionId: string;

    beforeEach(async () => {
      harness = await createHarness();
      executionId = `run-${randomUUID()}`;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    it('stores bytes and hands back a record with the sha256, size and a uri that reads them back', async () => {
      const bytes = new TextEncoder().encode('# Report\n\nAll good.\n');
      const artifact = await harness.store.put({
        executionId,
        taskId: 'task-1',
        name: 'report.md',
        mimeType: 'text/markdown',
        bytes,
      });
      expect(ArtifactSchema.parse(artifact)).toEqual(artifact);
      expect(artifact).toMatchObject({
        name: 'report.md',
        mimeType: 'text/markdown',
        bytes: bytes.byteLength,
      });
      expect(artifact.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(artifact.uri.startsWith(harness.scheme)).toBe(true);
      expect(Buffer.from(await harness.store.get(artifact.uri))).toEqual(Buffer.from(bytes));
    });

    it('keeps binary content exactly, including empty files', async () => {
      const binary = new Uint8Array(256).map((_, index) => index);
      const stored = await harness.store.put({
        executionId,
        taskId: 't',
        name: 'bytes.bin',
        mimeType: 'application/octet-stream',
        bytes: binary,
      });
      expect(Buffer.from(await harness.store.get(stored.uri))).toEqual(Buffer.from(binary));
      const empty = await harness.store.put({
        executionId,
        taskId: 't',
        name: 'empty.txt',
        mimeType: 'text/plain',
        bytes: new Uint8Array(),
      });
      expect(empty.bytes).toBe(0);
      expect((await harness.store.get(empty.uri)).byteLength).toBe(0);
    });

    it('lists the artifacts of one execution only, with type and checksum', async () => {
      const first = await harness.store.put({
        executionId,
        taskId: 'a',
        name: 'one.txt',
        mimeType: 'text/plain',
        bytes: new TextEncoder().encode('one'),
      });
      const second = await harness.store.put({
        executionId,
        taskId: 'b',
        name: 'two.json',
        mimeType: 'application/json',
        bytes: new TextEncoder().encode('{"two":2}'),
      });
      await harness.store.put({
        executionId: `${executionId}-other`,
        taskId: 'a',
        name: 'other.txt',
        mimeType: 'text/plain',
        bytes: new TextEncoder().encode('other'),
      });
      const listed = await harness.store.list(executionId);
      expect(listed.sort((x, y) => x.uri.localeCompare(y.uri))).toEqual(
        [first, second].sort((x, y) => x.uri.localeCompare(y.uri)),
      );
      expect(await harness.store.list(`run-${randomUUID()}`)).toEqual([]);
    });

    it('overwrites an artifact put again under the same name', async () => {
      const put = (text: string) =>
        harness.store.put({
          executionId,
          taskId: 't',
          name: 'out.txt',
          mimeType: 'text/plain',
          bytes: new TextEncoder().encode(text),
        });
      const before = await put('first');
      const after = await put('second, longer');
      expect(after.uri).toBe(before.uri);
      expect(new TextDecoder().decode(await harness.store.get(after.uri))).toBe('second, longer');
      expect(await harness.store.list(executionId)).toEqual([after]);
    });

    it('cannot be made to write outside its execution by ../ in any name', async () => {
      const artifact = await harness.store.put({
        executionId: '../../escape',
        taskId: '../..',
        name: '../../../etc/passwd',
        mimeType: 'text/plain',
        bytes: new TextEncoder().encode('not a passwd file'),
      });
      expect(artifact.name).not.toContain('/');
      expect(artifact.name.startsWith('.')).toBe(false);
      expect(artifact.uri).not.toContain('..');
      expect(new TextDecoder().decode(await harness.store.get(artifact.uri))).toBe('not a passwd file');
      expect(await harness.store.list('../../escape')).toEqual([artifact]);
    });

    it('answers NOT_FOUND for a uri with nothing stored, and refuses a uri of another store', async () => {
      expect((await caught(harness.store.get(harness.missingUri))).code).toBe('NOT_FOUND');
      expect((await caught(harness.store.get('https://example.com/x'))).code).toBe('VALIDATION_FAILED');
    });

    it('refuses an empty name with VALIDATION_FAILED naming the field', async () => {
      const error = await caught(
        harness.store.put({
          executionId,
          taskId: 't',
          name: '',
          mimeType: 'text/plain',
          bytes: new Uint8Array(1),
        }),
      );
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.field).toBe('artifact.name');
    });
  });
}
