// Artifacts from results/: bounded in number and bytes whatever the program wrote.
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../contracts/index.js';
import type { SandboxSession } from '../../sandbox/sandbox.js';
import type { ArtifactStore, PutArtifactInput } from '../../store/artifact-store.js';
import { collectArtifacts, MAX_ARTIFACT_TOTAL_BYTES } from './artifacts.js';

function fakeSession(files: Record<string, number>): SandboxSession {
  return {
    listFiles: async () => Object.entries(files).map(([path, sizeBytes]) => ({ path, sizeBytes })),
    readFile: async (path: string) => new Uint8Array(files[path] ?? 0),
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

describe('collectArtifacts', () => {
  it('stores at most MAX_ARTIFACT_TOTAL_BYTES of the files a program wrote', async () => {
    const sixtyMb = 60 * 1024 * 1024;
    const session = fakeSession({
      'results/a.bin': sixtyMb,
      'results/b.bin': sixtyMb,
      'results/c.bin': sixtyMb,
      'results/small.txt': 10,
    });
    const { store, stored } = fakeStore();
    await collectArtifacts(session, store, { executionId: 'e', taskId: 't' });
    const total = stored.reduce((sum, input) => sum + input.bytes.byteLength, 0);
    expect(total).toBeLessThanOrEqual(MAX_ARTIFACT_TOTAL_BYTES);
    expect(stored.map((input) => input.name)).toEqual(['a.bin', 'small.txt']);
  });
});
