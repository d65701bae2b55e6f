// Where the isolate worker's code lives (compiled, or bundled from source like every worker thread of ours).
import { threadEntryUrl } from '../../thread-entry/index.js';

export function isolateWorkerUrl(): URL {
  return threadEntryUrl({
    compiledUrl: new URL('./worker.js', import.meta.url),
    sourceUrl: new URL('./worker.ts', import.meta.url),
    anchorPackage: 'quickjs-emscripten',
    name: 'isolate-worker',
  });
}
