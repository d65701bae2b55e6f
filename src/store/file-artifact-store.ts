// ArtifactStore on the local disk (the default): `<dataDir>/artifacts/<executionId>/<taskId>/<name>`.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Artifact } from '../contracts/index.js';
import { ArtifactSchema, parseJsonWith, RomaError } from '../contracts/index.js';
import { artifactSegments, sanitizeSegment, sha256Hex, validatePutInput } from './artifact-names.js';
import type { ArtifactStore, PutArtifactInput } from './artifact-store.js';

const ARTIFACTS_DIR_NAME = 'artifacts';
// Sanitised names never start with a dot, so the metadata folder cannot collide with a task or artifact.
const METADATA_DIR_NAME = '.meta';
const MAX_LISTED_ARTIFACTS = 10_000;

interface FileArtifactStoreOptions {
  /** Artifacts go under `<dataDir>/artifacts`; `.roma` by default. */
  dataDir?: string;
}

export class FileArtifactStore implements ArtifactStore {
  readonly rootDir: string;

  constructor(options: FileArtifactStoreOptions = {}) {
    this.rootDir = resolve(options.dataDir ?? '.roma', ARTIFACTS_DIR_NAME);
  }

  async put(input: PutArtifactInput): Promise<Artifact> {
    const { executionId, taskId, name, mimeType, bytes } = validatePutInput(input);
    const [executionDir, taskDir, fileName] = artifactSegments({ executionId, taskId, name });
    const directory = this.#inside(join(this.rootDir, executionDir, taskDir));
    const path = join(directory, fileName);
    const artifact: Artifact = {
      name: fileName,
      mimeType,
      uri: pathToFileURL(path).href,
      bytes: bytes.byteLength,
      sha256: sha256Hex(bytes),
    };
    try {
      await mkdir(join(directory, METADATA_DIR_NAME), { recursive: true });
      // Write then rename, so a reader never sees half a file and a crash leaves the old version whole.
      await writeAtomically(path, bytes);
      await writeAtomically(join(directory, METADATA_DIR_NAME, `${fileName}.json`), JSON.stringify(artifact));
    } catch (error) {
      throw new RomaError('STORE_FAILED', `cannot write artifact ${fileName}: ${(error as Error).message}`, {
        cause: error,
        fix: 'check that store.dataDir (ROMA_STORE_DATA_DIR) is a writable directory with free space',
      });
    }
    return artifact;
  }

  async get(uri: string): Promise<Uint8Array> {
    const path = this.#pathOf(uri);
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new RomaError('NOT_FOUND', `no artifact at ${uri}`, { field: 'uri' });
      }
      throw new RomaError('STORE_FAILED', `cannot read artifact ${uri}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async list(executionId: string): Promise<Artifact[]> {
    const executionDir = join(this.rootDir, sanitizeSegment(executionId));
    const artifacts: Artifact[] = [];
    for (const taskDir of (await listNames(executionDir)).sort()) {
      const metadataDir = join(executionDir, taskDir, METADATA_DIR_NAME);
      for (const file of (await listNames(metadataDir)).sort()) {
        if (!file.endsWith('.json') || artifacts.length >= MAX_LISTED_ARTIFACTS) continue;
        const parsed = parseJsonWith(
          ArtifactSchema,
          await readFile(join(metadataDir, file), 'utf8'),
          'artifact',
        );
        // A metadata file whose artifact was removed by hand is skipped rather than listed broken.
        if (parsed.ok) artifacts.push(parsed.value);
      }
    }
    return artifacts;
  }

  /** Resolves a `file://` uri, refusing any path outside the store: get(uri) must not read arbitrary files. */
  #pathOf(uri: string): string {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      throw new RomaError('VALIDATION_FAILED', `uri: ${uri} is not a file:// uri of this artifact store`, {
        field: 'uri',
      });
    }
    return this.#inside(path);
  }

  #inside(path: string): string {
    const resolved = resolve(path);
    if (!resolved.startsWith(this.rootDir + sep) || resolved.includes(`${sep}${METADATA_DIR_NAME}${sep}`)) {
      throw new RomaError('VALIDATION_FAILED', `uri: ${path} is outside the artifact store ${this.rootDir}`, {
        field: 'uri',
      });
    }
    return resolved;
  }
}

async function writeAtomically(path: string, content: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.partial`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function listNames(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RomaError('STORE_FAILED', `cannot list ${directory}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
