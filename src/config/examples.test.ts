// The shipped examples stay true: roma.config.example.yaml loads (with each profile) and .env.example
// names every variable the loader reads, and none it does not.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig, envVariableMap, loadConfig, ROMA_ENV_ALIASES, WELL_KNOWN_ENV } from './index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE_CONFIG = `${ROOT}roma.config.example.yaml`;

describe('roma.config.example.yaml', () => {
  it('loads, and its base values are the defaults', () => {
    expect(loadConfig({ cwd: ROOT, configFile: EXAMPLE_CONFIG, env: {} })).toEqual(defaultConfig());
  });

  it.each(Object.keys(parse(readFileSync(EXAMPLE_CONFIG, 'utf8')).profiles))(
    'loads with profile %s',
    (profile) => {
      const config = loadConfig({ cwd: ROOT, configFile: EXAMPLE_CONFIG, env: {}, profile });
      expect(config).not.toEqual(defaultConfig());
    },
  );

  it('documents every section', () => {
    const text = readFileSync(EXAMPLE_CONFIG, 'utf8');
    for (const section of Object.keys(defaultConfig())) expect(text).toMatch(new RegExp(`^${section}:`, 'm'));
  });
});

/** Read from the environment but not configuration: the OS's own. */
const SYSTEM_VARIABLES = new Set(['PATH', 'HOME', 'NODE_ENV', 'CI']);

/** Every `process.env.NAME` / `process.env['NAME']` in src/ outside tests and test kits (`testing/`). */
function processEnvReads(): Set<string> {
  const root = `${ROOT}src/`;
  const names = new Set<string>();
  for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file.split('/').includes('testing')) continue;
    const text = readFileSync(`${root}${file}`, 'utf8');
    for (const match of text.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g)) {
      names.add((match[1] ?? match[2])!);
    }
  }
  return names;
}

/** Every `${NAME}` docker-compose.yaml interpolates. */
function composeVariables(): Set<string> {
  const text = readFileSync(`${ROOT}docker-compose.yaml`, 'utf8');
  return new Set([...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!));
}

describe('.env.example', () => {
  const text = readFileSync(`${ROOT}.env.example`, 'utf8');
  const named = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!));

  it('lists every well-known variable, short name and loader variable', () => {
    const required = [
      ...Object.keys(WELL_KNOWN_ENV),
      ...Object.keys(ROMA_ENV_ALIASES),
      'ROMA_CONFIG',
      'ROMA_PROFILE',
    ];
    const missing = required.filter((name) => !named.has(name));
    expect(missing, 'add these to .env.example with a comment').toEqual([]);
  });

  it('lists every variable the code reads from process.env', () => {
    // Positive control: the scan sees the reads it must (roma serve's keys).
    expect(processEnvReads()).toContain('ROMA_API_KEYS');
    const missing = [...processEnvReads()].filter((name) => !named.has(name) && !SYSTEM_VARIABLES.has(name));
    expect(missing, 'src/ reads these from process.env; add them to .env.example with a comment').toEqual([]);
  });

  it('names only variables the loader, the code or docker-compose.yaml reads', () => {
    const known = new Set([
      ...Object.keys(envVariableMap()),
      'ROMA_CONFIG',
      'ROMA_PROFILE',
      ...processEnvReads(),
      ...composeVariables(),
    ]);
    const unknown = [...named].filter((name) => !known.has(name));
    expect(unknown, 'these names in .env.example are read by nothing').toEqual([]);
  });
});
