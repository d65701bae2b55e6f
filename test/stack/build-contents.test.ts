// What `npm run build` puts in dist/: every module the `roma` command can load, and no module only tests load
// (tsconfig.build.json leaves those out by name: `testing/` folders, `*-test-support.ts`, suites `*.suite.ts`).
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { exists, ROOT } from './stack-files.js';

const BUILD_CONFIG = 'tsconfig.build.json';
const TESTS = ['**/*.test.ts', '**/*.conformance.ts', '**/*.suite.ts'];

/** tsconfig.build.json as tsc reads it, or with another `exclude` (the rule before test helpers were left out). */
function buildConfig(exclude?: string[]): ts.ParsedCommandLine {
  const { config } = ts.readConfigFile(`${ROOT}${BUILD_CONFIG}`, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(
    exclude ? { ...config, exclude } : config,
    ts.sys,
    ROOT,
    undefined,
    `${ROOT}${BUILD_CONFIG}`,
  );
}

/**
 * The modules tsc emits: the config's files and every module they import. (`exclude` only narrows the first;
 * a helper that a built module imports is built all the same.)
 */
function builtModules(config: ts.ParsedCommandLine): string[] {
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  return program
    .getSourceFiles()
    .map((file) => relative(ROOT, file.fileName))
    .filter((file) => file.startsWith('src/') && !file.endsWith('.d.ts'))
    .sort();
}

/** Where the package is entered: the compiled modules its bin launchers (and main/exports, if any) load. */
function entryModules(): string[] {
  const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
    bin?: string | Record<string, string>;
    main?: string;
    exports?: unknown;
  };
  const strings = (value: unknown): string[] =>
    typeof value === 'string'
      ? [value]
      : value && typeof value === 'object'
        ? Object.values(value).flatMap(strings)
        : [];
  const entries = new Set<string>();
  for (const path of strings([manifest.bin, manifest.main, manifest.exports])) {
    // A launcher outside dist/ names the compiled module it runs; an entry in dist/ is one itself.
    const text = path.includes('dist/') ? path : readFileSync(`${ROOT}${path}`, 'utf8');
    for (const match of text.matchAll(/dist\/(src\/[\w./-]+)\.js/g)) entries.add(`${match[1]}.ts`);
  }
  return [...entries].sort();
}

/**
 * The modules one module loads: its imports (type-only ones too, since tsc builds what they name) and the
 * thread entries and servers it starts by URL (`new URL('./worker.js', import.meta.url)`, `./server.${ext}`).
 */
function loadedBy(file: string): string[] {
  const text = readFileSync(`${ROOT}${file}`, 'utf8');
  const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
  for (const match of text.matchAll(/new URL\(\s*['"`](\.\.?\/[^'"`$]+?)\.(?:js['"`]|ts['"`]|\$\{)/g))
    specifiers.push(`${match[1]}.js`);
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier.replace(/\.js$/, '.ts'))))
    .filter((path) => exists(path));
}

function reachableFrom(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...loadedBy(file));
  }
  return seen;
}

/** The source modules the naming rule leaves out of the build (tests, conformance suites and test helpers). */
function leftOut(config: ts.ParsedCommandLine): string[] {
  const built = new Set(config.fileNames.map((file) => relative(ROOT, file)));
  return ts.sys
    .readDirectory(`${ROOT}src`, ['.ts'], ['src/server/dashboard/client'])
    .map((file) => relative(ROOT, file))
    .filter((file) => !file.endsWith('.d.ts') && !built.has(file))
    .sort();
}

describe('the build (tsconfig.build.json)', () => {
  const config = buildConfig();
  const built = builtModules(config);
  const entries = entryModules();
  const production = reachableFrom(entries);

  it('builds only modules the roma command can load', () => {
    expect(entries).toEqual(['src/cli/main.ts']);
    expect(built.filter((file) => !production.has(file))).toEqual([]);
    // Positive control: under the rule before test helpers were left out, the same check finds them.
    const before = builtModules(buildConfig([...TESTS, 'src/server/dashboard/client']));
    const onlyTests = before.filter((file) => !production.has(file));
    expect(onlyTests).toContain('src/store/testing/test-events.ts');
    expect(onlyTests).toContain('src/server/api-test-support.ts');
    expect(onlyTests).toContain('src/sandbox/daytona/testing/loopback-server.ts');
  });

  it('builds what the command starts by URL and its dev commands', () => {
    for (const module of [
      'src/store/sqlite-append-worker.ts',
      'src/sandbox/isolate/worker.ts',
      'src/dev/sales-server/server.ts',
      // `roma dev scripted-model` is a command of the package, not a test helper.
      'src/dev/scripted-model/server.ts',
      'src/sandbox/self-test.ts',
    ]) {
      expect(production.has(module), module).toBe(true);
      expect(built, module).toContain(module);
    }
  });

  it('has no module of the command load a test helper (the helper would be built all the same)', () => {
    const excluded = new Set(leftOut(config));
    expect([...production].filter((file) => excluded.has(file)).sort()).toEqual([]);
    // Positive control: the rule leaves helpers out, and the walk finds one that a test loads.
    expect(excluded.has('src/engine/testing/engine-test-kit.ts')).toBe(true);
    expect(excluded.has('src/mcp-server/task-test-support.ts')).toBe(true);
    const fromATest = reachableFrom(['src/store/sqlite-execution-store.test.ts']);
    expect([...fromATest].filter((file) => excluded.has(file))).toContain('src/store/testing/test-events.ts');
  });
});
