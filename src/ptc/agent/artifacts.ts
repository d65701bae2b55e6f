// Files the program wrote under results/ become artifacts (name, MIME type, size, sha256) in the store.
import type { Artifact } from '../../contracts/index.js';
import type { SandboxSession } from '../../sandbox/sandbox.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { mimeTypeOf } from './mime-types.js';

export const RESULTS_DIRECTORY = 'results';
/** Bound on artifacts a plan may produce, so a runaway loop cannot fill the store. */
const MAX_ARTIFACTS = 100;
/**
 * Bound on the bytes one plan's artifacts may take: a program can write 100 files of the sandbox's largest
 * file size (256 MiB in the process sandbox), and each is read into host memory and copied into the store.
 * Files that do not fit in what is left are not stored.
 */
export const MAX_ARTIFACT_TOTAL_BYTES = 100 * 1024 * 1024;

export async function collectArtifacts(
  session: SandboxSession,
  store: ArtifactStore,
  ids: { executionId: string; taskId: string },
): Promise<Artifact[]> {
  // A program that wrote nothing under results/ may leave no such directory: no artifacts, not an error.
  const listed = await session.listFiles(RESULTS_DIRECTORY).catch(() => []);
  const files = listed.slice(0, MAX_ARTIFACTS);
  const artifacts: Artifact[] = [];
  let remainingBytes = MAX_ARTIFACT_TOTAL_BYTES;
  for (const file of files) {
    if (file.sizeBytes > remainingBytes) continue;
    const path = file.path.startsWith(`${RESULTS_DIRECTORY}/`)
      ? file.path
      : `${RESULTS_DIRECTORY}/${file.path}`;
    const bytes = await session.readFile(path);
    // The listed size may be stale (the guest can still be writing): the bytes read are what counts.
    if (bytes.byteLength > remainingBytes) continue;
    remainingBytes -= bytes.byteLength;
    artifacts.push(
      await store.put({
        executionId: ids.executionId,
        taskId: ids.taskId,
        name: path.slice(RESULTS_DIRECTORY.length + 1),
        mimeType: mimeTypeOf(path),
        bytes,
      }),
    );
  }
  return artifacts;
}
