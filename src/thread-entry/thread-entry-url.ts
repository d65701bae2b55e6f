// Where a worker thread's code lives: the compiled .js beside its module after a build; from TypeScript source
// (tsx, vitest) the .ts entry and the modules of ours it imports are bundled with esbuild (a dev dependency, used
// only from source) into node_modules/.cache, because Node 20 workers ignore module hooks registered with
// `--import tsx`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ThreadEntry {
  /** The entry's compiled module (`new URL('./worker.js', import.meta.url)`), used when it exists. */
  compiledUrl: URL;
  /** The entry's TypeScript source (`new URL('./worker.ts', import.meta.url)`), bundled otherwise. */
  sourceUrl: URL;
  /**
   * A package the entry imports: the bundle is written inside that package's node_modules, since package
   * imports resolve from a file's location.
   */
  anchorPackage: string;
  /** The bundle's file name prefix, under node_modules/.cache/roma-threads/. */
  name: string;
}

const resolved = new Map<string, URL>();

export function threadEntryUrl(entry: ThreadEntry): URL {
  const key = entry.compiledUrl.href;
  const known = resolved.get(key);
  if (known) return known;
  // Built code (this module is .js) runs the compiled entry; from source there is none beside the .ts.
  const url =
    import.meta.url.endsWith('.js') && existsSync(fileURLToPath(entry.compiledUrl))
      ? entry.compiledUrl
      : bundle(entry);
  resolved.set(key, url);
  return url;
}

function bundle(entry: ThreadEntry): URL {
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const bundled = esbuild.buildSync({
    entryPoints: [fileURLToPath(entry.sourceUrl)],
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
  const packageEntry = require.resolve(entry.anchorPackage);
  const nodeModules = packageEntry.slice(
    0,
    packageEntry.lastIndexOf('/node_modules/') + '/node_modules'.length,
  );
  const target = join(nodeModules, '.cache', 'roma-threads', `${entry.name}-${hash}.mjs`);
  if (!existsSync(target)) {
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, javascript);
    renameSync(temporary, target);
  }
  return pathToFileURL(target);
}
