// Finds and reads `roma.config.yaml` (or `--config`), expands `${VAR}`, and picks a profile from `profiles:`.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { RomaError } from '../contracts/index.js';
import type { Env } from './env.js';
import { expandEnvReferences } from './expand.js';
import type { ConfigLayer } from './layer.js';
import { isPlainObject, leafPaths, type PlainObject } from './paths.js';
import type { ConfigSources } from './sources.js';

export const DEFAULT_CONFIG_FILES = ['roma.config.yaml', 'roma.config.yml'] as const;

/** The config file to read: `configFile` (must exist), else `roma.config.yaml` in `cwd` when present. */
export function findConfigFile(cwd: string, configFile: string | undefined): string | undefined {
  if (configFile) {
    const path = isAbsolute(configFile) ? configFile : resolve(cwd, configFile);
    if (!existsSync(path)) {
      throw new RomaError(
        'CONFIG_INVALID',
        `config file ${configFile} not found (from --config or ROMA_CONFIG)`,
        {
          field: 'config',
          fix: `create it (see roma.config.example.yaml) or point --config at an existing file`,
        },
      );
    }
    return path;
  }
  for (const name of DEFAULT_CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export function displayPath(cwd: string, path: string): string {
  const relativePath = relative(cwd, path);
  return relativePath && !relativePath.startsWith('..') && !isAbsolute(relativePath) ? relativePath : path;
}

interface ConfigFileLayers {
  base: ConfigLayer;
  /** The chosen profile's values; null when no profile was asked for. */
  profile: ConfigLayer | null;
  profileNames: string[];
}

function layerOf(values: PlainObject, source: ConfigSources[string]): ConfigLayer {
  const sources: ConfigSources = {};
  for (const path of leafPaths(values)) sources[path.join('.')] = source;
  return { values, sources };
}

/** Reads `path` as YAML and splits it into the base layer and the chosen profile's layer. */
export function readConfigFile(
  path: string,
  shownAs: string,
  env: Env,
  profile: string | undefined,
): ConfigFileLayers {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RomaError('CONFIG_INVALID', `cannot read ${shownAs}: ${(error as Error).message}`, {
      field: 'config',
      fix: 'check the path and its permissions',
      cause: error,
    });
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, lineCounter });
  if (document.errors.length > 0) {
    // Every syntax error with its line and column, so one edit fixes them all.
    const shown = document.errors.slice(0, 10).map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { line, column: col, message: error.message.split('\n')[0] ?? error.code };
    });
    const first = shown[0]!;
    const message =
      shown.length === 1
        ? `${shownAs}:${first.line}:${first.column} is not valid YAML: ${first.message}`
        : `${shownAs} is not valid YAML (${document.errors.length} errors):\n${shown
            .map((error) => `  ${shownAs}:${error.line}:${error.column} ${error.message}`)
            .join('\n')}`;
    throw new RomaError('CONFIG_INVALID', message, {
      field: 'config',
      fix: 'fix the YAML syntax (indent with spaces, `key: value`)',
      details: { errors: shown },
    });
  }
  const parsed: unknown = document.toJS() ?? {};
  if (!isPlainObject(parsed)) {
    throw new RomaError('CONFIG_INVALID', `${shownAs} must be a mapping of sections (llm:, engine:, …)`, {
      field: 'config',
      fix: 'see roma.config.example.yaml',
    });
  }
  const { profiles = {}, ...baseValues } = parsed;
  if (!isPlainObject(profiles)) {
    throw new RomaError('CONFIG_INVALID', `profiles in ${shownAs} must map a name to a partial config`, {
      field: 'profiles',
      fix: 'write `profiles: { dev: { llm: { model: … } } }`',
    });
  }
  const profileNames = Object.keys(profiles);
  const base = layerOf(expandEnvReferences(baseValues, env, shownAs), { kind: 'file', file: shownAs });
  if (profile === undefined) return { base, profile: null, profileNames };
  const chosen = profiles[profile];
  if (chosen === undefined) {
    throw new RomaError('CONFIG_INVALID', `unknown profile "${profile}" (from --profile or ROMA_PROFILE)`, {
      field: 'profile',
      fix: profileNames.length
        ? `use one of the profiles in ${shownAs}: ${profileNames.join(', ')}`
        : `${shownAs} defines no profiles; add one under \`profiles:\` or drop --profile`,
    });
  }
  if (chosen !== null && !isPlainObject(chosen)) {
    throw new RomaError('CONFIG_INVALID', `profile "${profile}" in ${shownAs} must be a mapping`, {
      field: `profiles.${profile}`,
      fix: 'write the profile as a partial config, e.g. `engine: { maxDepth: 1 }`',
    });
  }
  const profileValues = expandEnvReferences(chosen ?? {}, env, `${shownAs} (profile ${profile})`);
  return {
    base,
    profile: layerOf(profileValues, { kind: 'file', file: shownAs, profile }),
    profileNames,
  };
}
