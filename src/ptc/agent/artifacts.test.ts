// Artifacts from results/: bounded in number and bytes, names unique and reversible, one refusal drops nothing else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Artifact } from '../../contracts/index.js';
import type { SandboxSession } from '../../sandbox/sandbox.js';
import type { ArtifactStore, PutArtifactInput } from '../../store/artifact-store.js';
import { FileArtifactStore } from '../../store/file-artifact-store.js';
import { decodeArtifactName, encodeArtifactName } from './artifact-names.js';
import { collectArtifacts, MAX_ARTIFACT_TOTAL_BYTES, MAX_ARTIFACTS } from './artifacts.js';

function fakeSession(files: Record<string, number | string>): SandboxSession {
  return {
    listFiles: async () =>
      Object.entries(files).map(([path, content]) => ({
        path,
        sizeBytes: typeof content === 'number' ? content : Buffer.byteLength(content),
      })),
    readFile: async (path: string) => {
      const content = files[path];
      return typeof content === 'string' ? new TextEncoder().encode(content) : new Uint8Array(content ?? 0);
    },
  } as unknown as SandboxSession;
}

function fakeStore(): { store: ArtifactStore; stored: PutArtifactInput[] } {
  const stored: PutArtifactInput[] = [];
  const store = {
    put: async (input: PutArtifactInput) => {
      stored.push(input);
      return { name: input.name, sizeBytes: input.bytes.byteLength } as unknown as Artifact;
    },
  } as unknown as ArtifactStore;
  return { store, stored };
}

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function realStore(): FileArtifactStore {
  const directory = mkdtempSync(join(tmpdir(), 'roma-artifacts-'));
  directories.push(directory);
  return new FileArtifactStore({ dataDir: directory });
}

describe('collectArtifacts', () => {
  it('stores at most MAX_ARTIFACT_TOTAL_BYTES of the files a program wrote, and says what it left out', async () => {
    const sixtyMb = 60 * 1024 * 1024;
    const session = fakeSession({
      'results/a.bin': sixtyMb,
      'results/b.bin': sixtyMb,
      'results/c.bin': sixtyMb,
      'results/small.txt': 10,
    });
    const { store, stored } = fakeStore();
    const { refused } = await collectArtifacts(session, store, { executionId: 'e', taskId: 't' });
    const total = stored.reduce((sum, input) => sum + input.bytes.byteLength, 0);
    expect(total).toBeLessThanOrEqual(MAX_ARTIFACT_TOTAL_BYTES);
    expect(stored.map((input) => input.name)).toEqual(['a.bin', 'small.txt']);
    expect(refused).toEqual([
      { path: 'b.bin', reason: expect.stringContaining('bytes all artifacts may take') },
      { path: 'c.bin', reason: expect.stringContaining('bytes all artifacts may take') },
    ]);
  });

  it('gives files that differ only in characters a store cannot keep distinct uris (a real store)', async () => {
    const store = realStore();
    const files: Record<string, string> = {
      'results/sub/data.csv': 'nested',
      'results/sub_data.csv': 'flat',
      'results/sub data.csv': 'space',
      'results/sub?data.csv': 'question',
      'results/..hidden': 'dots',
    };
    // 98 more whose names differ only where a store would write `_`.
    for (let index = 0; index < 49; index += 1) {
      files[`results/part ${index}/x.txt`] = `space ${index}`;
      files[`results/part?${index}?x.txt`] = `question ${index}`;
    }
    const session = fakeSession(files);
    const { artifacts, refused } = await collectArtifacts(session, store, { executionId: 'e', taskId: 't' });
    expect(refused).toEqual([
      ...Array.from({ length: 3 }, () => ({
        path: expect.any(String),
        reason: expect.stringContaining('more than 100 files'),
      })),
    ]);
    expect(artifacts).toHaveLength(MAX_ARTIFACTS);
    expect(new Set(artifacts.map((artifact) => artifact.uri)).size).toBe(MAX_ARTIFACTS);
    // Each uri reads back its own file, and each name decodes to the path the program wrote.
    for (const artifact of artifacts) {
      const path = `results/${decodeArtifactName(artifact.name)}`;
      expect(new TextDecoder().decode(await store.get(artifact.uri))).toBe(files[path]);
    }
    expect(artifacts.map((artifact) => decodeArtifactName(artifact.name))).toContain('sub/data.csv');
    expect(artifacts.map((artifact) => decodeArtifactName(artifact.name))).toContain('sub_data.csv');
  });

  it('refuses one over-long name with the reason and keeps every other file (a real store)', async () => {
    const store = realStore();
    const session = fakeSession({
      'results/report.md': '# ok',
      [`results/${'n'.repeat(5_000)}.txt`]: 'long',
      'results/data.csv': 'a,b',
    });
    const { artifacts, refused } = await collectArtifacts(session, store, { executionId: 'e', taskId: 't' });
    expect(artifacts.map((artifact) => artifact.name).sort()).toEqual(['data.csv', 'report.md']);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toContain('name longer than 200 characters');
    expect(refused[0]!.path.length).toBeLessThan(300);
  });

  it('refuses a name holding a secret, naming it redacted', async () => {
    const { store, stored } = fakeStore();
    const session = fakeSession({ 'results/token-s3cr3t-value.txt': 'x', 'results/ok.txt': 'y' });
    const { refused } = await collectArtifacts(
      session,
      store,
      { executionId: 'e', taskId: 't' },
      { redact: (text) => text.replaceAll('s3cr3t-value', '***') },
    );
    expect(stored.map((input) => input.name)).toEqual(['ok.txt']);
    expect(refused).toEqual([{ path: 'token-***.txt', reason: 'the name holds a secret' }]);
  });
});

describe('artifact names', () => {
  it('round-trips any path and never forms a hidden or dotted name', () => {
    for (const path of [
      'sub/data.csv',
      'sub_data.csv',
      '..',
      '.env',
      'a..b',
      'ünï cødé/✓.txt',
      '_5F',
      'x%2F',
    ]) {
      const name = encodeArtifactName(path);
      expect(name).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
      expect(name).not.toContain('..');
      expect(decodeArtifactName(name)).toBe(path);
    }
    expect(encodeArtifactName('sub/data.csv')).not.toBe(encodeArtifactName('sub_data.csv'));
  });
});
