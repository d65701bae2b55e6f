// Files the program wrote under results/ become artifacts (name, MIME type, size, sha256) in the store.
import type { Artifact, RefusedArtifact } from '../../contracts/index.js';
import { truncationMarker } from '../../contracts/index.js';
import type { SandboxSession } from '../../sandbox/sandbox.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { encodeArtifactName, MAX_ARTIFACT_NAME_CHARS } from './artifact-names.js';
import { mimeTypeOf } from './mime-types.js';

export const RESULTS_DIRECTORY = 'results';
/** Bound on artifacts a plan may produce, so a runaway loop cannot fill the store. */
export const MAX_ARTIFACTS = 100;
/**
 * Bound on the bytes one plan's artifacts may take: a program can write 100 files of the sandbox's largest
 * file size (256 MiB in the process sandbox), and each is read into host memory and copied into the store.
 * Files that do not fit in what is left are not stored.
 */
export const MAX_ARTIFACT_TOTAL_BYTES = 100 * 1024 * 1024;
/** Refusals listed one by one in the result; past this, one entry counts the rest. */
const MAX_REFUSALS_LISTED = 20;
const MAX_LISTED_PATH_CHARS = 200;

interface CollectedArtifacts {
  artifacts: Artifact[];
  refused: RefusedArtifact[];
}

/** Collects refusals, bounded: a program can write thousands of files with huge names. */
class RefusalList {
  readonly entries: RefusedArtifact[] = [];
  private unlisted = 0;

  add(path: string, reason: string): void {
    if (this.entries.length < MAX_REFUSALS_LISTED) {
      const shown =
        path.length <= MAX_LISTED_PATH_CHARS
          ? path
          : `${path.slice(0, MAX_LISTED_PATH_CHARS)}${truncationMarker(path.length - MAX_LISTED_PATH_CHARS).trimStart()}`;
      this.entries.push({ path: shown, reason });
    } else this.unlisted += 1;
  }

  list(): RefusedArtifact[] {
    return this.unlisted === 0
      ? [...this.entries]
      : [...this.entries, { path: '…', reason: `${this.unlisted} more files refused` }];
  }
}

interface CollectOptions {
  /** Names holding a secret are refused (the name would land in the store and the result). */
  redact?: (text: string) => string;
}

/**
 * Stores each file under results/ with a unique, reversible name (`encodeArtifactName`); a file that cannot
 * be stored (name too long, over the count or byte bound, unreadable, refused by the store) is listed with
 * the reason and the others are stored all the same.
 */
export async function collectArtifacts(
  session: SandboxSession,
  store: ArtifactStore,
  ids: { executionId: string; taskId: string },
  options: CollectOptions = {},
): Promise<CollectedArtifacts> {
  // A program that wrote nothing under results/ may leave no such directory: no artifacts, not an error.
  const listed = await session.listFiles(RESULTS_DIRECTORY).catch(() => []);
  const artifacts: Artifact[] = [];
  const refused = new RefusalList();
  const names = new Set<string>();
  let remainingBytes = MAX_ARTIFACT_TOTAL_BYTES;
  for (const file of listed) {
    const path = file.path.startsWith(`${RESULTS_DIRECTORY}/`)
      ? file.path
      : `${RESULTS_DIRECTORY}/${file.path}`;
    const relative = path.slice(RESULTS_DIRECTORY.length + 1);
    if (artifacts.length >= MAX_ARTIFACTS) {
      refused.add(relative, `more than ${MAX_ARTIFACTS} files under results/`);
      continue;
    }
    const name = encodeArtifactName(relative);
    if (name.length > MAX_ARTIFACT_NAME_CHARS) {
      refused.add(
        relative,
        `name longer than ${MAX_ARTIFACT_NAME_CHARS} characters once encoded (${name.length})`,
      );
      continue;
    }
    if (options.redact && options.redact(relative) !== relative) {
      refused.add(options.redact(relative), 'the name holds a secret');
      continue;
    }
    if (names.has(name)) {
      refused.add(relative, 'listed twice');
      continue;
    }
    if (file.sizeBytes > remainingBytes) {
      refused.add(relative, `over the ${MAX_ARTIFACT_TOTAL_BYTES} bytes all artifacts may take`);
      continue;
    }
    try {
      const bytes = await session.readFile(path);
      // The listed size may be stale (the guest can still be writing): the bytes read are what counts.
      if (bytes.byteLength > remainingBytes) {
        refused.add(relative, `over the ${MAX_ARTIFACT_TOTAL_BYTES} bytes all artifacts may take`);
        continue;
      }
      const artifact = await store.put({
        executionId: ids.executionId,
        taskId: ids.taskId,
        name,
        mimeType: mimeTypeOf(path),
        bytes,
      });
      remainingBytes -= bytes.byteLength;
      names.add(name);
      artifacts.push(artifact);
    } catch (error) {
      refused.add(relative, `not stored: ${(error as Error).message.slice(0, 500)}`);
    }
  }
  return { artifacts, refused: refused.list() };
}
