// Where the append worker's code lives: dist/…/sqlite-append-worker.js after a build; from TypeScript source
// (tsx, vitest) it is bundled with esbuild (a dev dependency, used only from source) into node_modules/.cache,
// because Node 20 workers ignore module hooks registered with `--import tsx` (as for the isolate worker).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let cached: URL | undefined;

export function appendWorkerUrl(): URL {
  if (cached) return cached;
  const compiled = new URL('./sqlite-append-worker.js', import.meta.url);
  if (import.meta.url.endsWith('.js') && existsSync(fileURLToPath(compiled))) {
    cached = compiled;
    return cached;
  }
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const bundled = esbuild.buildSync({
    entryPoints: [fileURLToPath(new URL('./sqlite-append-worker.ts', import.meta.url))],
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
  const packageEntry = require.resolve('better-sqlite3');
  const nodeModules = packageEntry.slice(
    0,
    packageEntry.lastIndexOf('/node_modules/') + '/node_modules'.length,
  );
  const target = join(nodeModules, '.cache', 'roma-store', `sqlite-append-worker-${hash}.mjs`);
  if (!existsSync(target)) {
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, javascript);
    renameSync(temporary, target);
  }
  cached = pathToFileURL(target);
  return cached;
}
