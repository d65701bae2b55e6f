// Where the append worker's code lives (compiled, or bundled from source like every worker thread of ours).
import { threadEntryUrl } from '../thread-entry/index.js';

export function appendWorkerUrl(): URL {
  return threadEntryUrl({
    compiledUrl: new URL('./sqlite-append-worker.js', import.meta.url),
    sourceUrl: new URL('./sqlite-append-worker.ts', import.meta.url),
    anchorPackage: 'better-sqlite3',
    name: 'sqlite-append-worker',
  });
}
