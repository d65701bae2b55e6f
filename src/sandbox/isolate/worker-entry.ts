// Where the isolate worker's code lives: dist/…/worker.js after a build; from TypeScript source (tsx,
// vitest) worker.ts is transpiled alone with sucrase into node_modules/.cache, because Node 20 workers
// ignore module hooks registered with `--import tsx`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from 'sucrase';

let cached: URL | undefined;

export function isolateWorkerUrl(): URL {
  if (cached) return cached;
  const compiled = new URL('./worker.js', import.meta.url);
  if (import.meta.url.endsWith('.js') && existsSync(fileURLToPath(compiled))) {
    cached = compiled;
    return cached;
  }
  const sourcePath = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const source = readFileSync(sourcePath, 'utf8');
  const javascript = transform(source, { transforms: ['typescript'], disableESTransforms: true }).code;
  const hash = createHash('sha256').update(javascript).digest('hex').slice(0, 16);
  // Package imports resolve from the file's location, so it must sit inside the project's node_modules.
  const packageEntry = createRequire(import.meta.url).resolve('quickjs-emscripten');
  const nodeModules = packageEntry.slice(
    0,
    packageEntry.lastIndexOf('/node_modules/') + '/node_modules'.length,
  );
  const target = join(nodeModules, '.cache', 'roma-sandbox', `isolate-worker-${hash}.mjs`);
  if (!existsSync(target)) {
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, javascript);
    renameSync(temporary, target);
  }
  cached = pathToFileURL(target);
  return cached;
}
