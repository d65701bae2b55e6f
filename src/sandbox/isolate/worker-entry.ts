// Where the isolate worker's code lives: dist/…/worker.js after a build; from TypeScript source (tsx,
// vitest) worker.ts and the few modules of ours it imports are bundled with esbuild (a dev dependency, used
// only from source) into node_modules/.cache, because Node 20 workers ignore module hooks registered with
// `--import tsx`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let cached: URL | undefined;

export function isolateWorkerUrl(): URL {
  if (cached) return cached;
  const compiled = new URL('./worker.js', import.meta.url);
  if (import.meta.url.endsWith('.js') && existsSync(fileURLToPath(compiled))) {
    cached = compiled;
    return cached;
  }
  const sourcePath = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const bundled = esbuild.buildSync({
    entryPoints: [sourcePath],
    bundle: true,
    // Packages stay imports, resolved from the bundle's place inside node_modules.
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const javascript = bundled.outputFiles[0]!.text;
  const hash = createHash('sha256').update(javascript).digest('hex').slice(0, 16);
  // Package imports resolve from the file's location, so it must sit inside the project's node_modules.
  const packageEntry = require.resolve('quickjs-emscripten');
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
