// Files the program wrote under results/ become artifacts (name, MIME type, size, sha256) in the store.
import type { Artifact } from '../../contracts/index.js';
import type { SandboxSession } from '../../sandbox/sandbox.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { mimeTypeOf } from './mime-types.js';

export const RESULTS_DIRECTORY = 'results';
/** Bound on artifacts a plan may produce, so a runaway loop cannot fill the store. */
const MAX_ARTIFACTS = 100;

export async function collectArtifacts(
  session: SandboxSession,
  store: ArtifactStore,
  ids: { executionId: string; taskId: string },
): Promise<Artifact[]> {
  // A program that wrote nothing under results/ may leave no such directory: no artifacts, not an error.
  const listed = await session.listFiles(RESULTS_DIRECTORY).catch(() => []);
  const files = listed.slice(0, MAX_ARTIFACTS);
  const artifacts: Artifact[] = [];
  for (const file of files) {
    const path = file.path.startsWith(`${RESULTS_DIRECTORY}/`)
      ? file.path
      : `${RESULTS_DIRECTORY}/${file.path}`;
    const bytes = await session.readFile(path);
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
