// Binary files a program saved with saveBase64 where the sandbox's workspace holds text only (the isolate).
import type { Artifact } from '../../contracts/index.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { encodeArtifactName, MAX_ARTIFACT_NAME_CHARS } from './artifact-names.js';
import { MAX_ARTIFACT_TOTAL_BYTES, RESULTS_DIRECTORY } from './artifacts.js';
import { mimeTypeOf } from './mime-types.js';

/** Stores each saved file as an artifact (bytes as saved); a name already stored from the workspace wins. */
export async function storeBinaryResults(
  files: ReadonlyMap<string, Uint8Array>,
  store: ArtifactStore,
  ids: { executionId: string; taskId: string },
  stored: readonly Artifact[],
): Promise<Artifact[]> {
  const taken = new Set(stored.map((artifact) => artifact.name));
  let remainingBytes = MAX_ARTIFACT_TOTAL_BYTES - stored.reduce((sum, artifact) => sum + artifact.bytes, 0);
  const artifacts: Artifact[] = [];
  for (const [path, bytes] of files) {
    const name = encodeArtifactName(path.slice(RESULTS_DIRECTORY.length + 1));
    if (taken.has(name) || name.length > MAX_ARTIFACT_NAME_CHARS || bytes.byteLength > remainingBytes)
      continue;
    remainingBytes -= bytes.byteLength;
    artifacts.push(
      await store.put({
        executionId: ids.executionId,
        taskId: ids.taskId,
        name,
        mimeType: mimeTypeOf(path),
        bytes,
      }),
    );
  }
  return artifacts;
}
