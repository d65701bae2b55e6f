// Loads the effective config: defaults < roma.config.yaml (+ profile) < env < CLI flags, validated once.
import type { Command } from 'commander';
import { RomaError } from '../contracts/index.js';
import { readDotEnv, withDotEnv } from './dotenv.js';
import type { Env } from './env.js';
import { configFromEnv } from './env.js';
import { displayPath, findConfigFile, readConfigFile } from './file.js';
import { flagLayer, flagsFromOptions } from './flags.js';
import type { ConfigLayer } from './layer.js';
import { normalizeMcpServerEntries } from './mcp-client-config.js';
import { deepMerge, type PlainObject } from './paths.js';
import type { RomaConfig } from './schema.js';
import { secretValuesOf } from './secrets.js';
import type { ConfigSources } from './sources.js';
import { validateConfig } from './validate.js';

export interface LoadConfigOptions {
  /** Where `roma.config.yaml` is looked for and relative paths start; `process.cwd()` when absent. */
  cwd?: string;
  /** Explicit config file (`--config`); must exist. Else `ROMA_CONFIG`, else `roma.config.yaml` in cwd. */
  configFile?: string;
  /** Profile from the file's `profiles:`; else `ROMA_PROFILE`. */
  profile?: string;
  /** Env vars to read; `process.env` when absent. */
  env?: Env;
  /** Partial config set by CLI flags (highest precedence). */
  flags?: PlainObject;
  /** False skips the config file (used by `roma doctor` to go on when the file is broken). */
  readFile?: boolean;
  /** False ignores `<cwd>/.env` (default: read it; the real environment wins over it). */
  dotEnv?: boolean;
}

export interface LoadedConfig {
  config: RomaConfig;
  /** Dotted key → where its value came from; keys left at their default are absent. */
  sources: ConfigSources;
  /** The config file read, as shown to users; null when none. */
  file: string | null;
  profile: string | null;
  /** Secret values in the config, for `createSecretScrubber`. */
  secrets: string[];
  /** Set when the config file was broken and `ignoreBrokenFile` let loading go on without it. */
  ignoredFileError?: RomaError;
}

function mergeLayers(layers: readonly ConfigLayer[]): ConfigLayer {
  let values: PlainObject = {};
  const sources: ConfigSources = {};
  for (const layer of layers) {
    values = deepMerge(values, layer.values);
    Object.assign(sources, layer.sources);
  }
  return { values, sources };
}

/** The effective config with the source of each value. Throws CONFIG_INVALID (one line) on a bad value. */
export function resolveConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const dotEnv = options.dotEnv === false ? null : readDotEnv(cwd);
  const { env, fromDotEnv } = withDotEnv(options.env ?? process.env, dotEnv);
  const profile = options.profile ?? (env.ROMA_PROFILE || undefined);
  const layers: ConfigLayer[] = [];
  let file: string | null = null;
  const readFile = options.readFile ?? true;
  const path = readFile
    ? findConfigFile(cwd, options.configFile ?? (env.ROMA_CONFIG || undefined))
    : undefined;
  if (path) {
    file = displayPath(cwd, path);
    const fileLayers = readConfigFile(path, file, env, profile);
    layers.push(fileLayers.base);
    if (fileLayers.profile) layers.push(fileLayers.profile);
  } else if (profile !== undefined && readFile) {
    throw new RomaError(
      'CONFIG_INVALID',
      `profile "${profile}" asked for but no roma.config.yaml found in ${cwd}`,
      {
        field: 'profile',
        fix: 'create roma.config.yaml with a `profiles:` section, pass --config <file>, or drop --profile',
      },
    );
  }
  layers.push(configFromEnv(env, dotEnv ? { fromFile: { file: dotEnv.file, names: fromDotEnv } } : {}));
  layers.push(flagLayer(options.flags));
  const merged = mergeLayers(layers);
  const config = validateConfig(normalizeMcpServerEntries(merged.values), merged.sources);
  return {
    config,
    sources: merged.sources,
    file,
    profile: path ? (profile ?? null) : null,
    secrets: secretValuesOf(config),
  };
}

/** The effective config. Throws a CONFIG_INVALID RomaError naming the key, value, source and fix. */
export function loadConfig(options: LoadConfigOptions = {}): RomaConfig {
  return resolveConfig(options).config;
}

type OptionsLike = Readonly<Record<string, unknown>> | Command | undefined;

function optionsOf(value: OptionsLike): Record<string, unknown> {
  if (!value) return {};
  if (typeof (value as Command).optsWithGlobals === 'function') return (value as Command).optsWithGlobals();
  return value as Record<string, unknown>;
}

interface CliLoadExtras {
  cwd?: string;
  env?: Env;
  /** Command-specific flags as a partial config, e.g. `{ server: { port } }` for `roma serve --port`. */
  flags?: PlainObject;
  /**
   * For commands that do not need the file (`roma demo`): when loading with it fails, load without it and
   * report the error in `ignoredFileError` instead of refusing to start.
   */
  ignoreBrokenFile?: boolean;
}

/**
 * For CLI commands: reads `--config`/`--profile` and the shared flags (`--model`, `--max-depth`,
 * `--max-concurrency`, `--budget-usd`, …) from the command's options, the program's options, or a
 * commander `Command` (its options with globals).
 */
export function resolveConfigFromCli(
  commandOptions: OptionsLike,
  programOptions?: OptionsLike,
  extras: CliLoadExtras = {},
): LoadedConfig {
  const options = { ...optionsOf(programOptions), ...optionsOf(commandOptions) };
  const flags = deepMerge(flagsFromOptions(options), extras.flags ?? {});
  const configFile = typeof options.config === 'string' ? options.config : undefined;
  const profile = typeof options.profile === 'string' ? options.profile : undefined;
  const loadOptions: LoadConfigOptions = {
    ...(extras.cwd === undefined ? {} : { cwd: extras.cwd }),
    ...(extras.env === undefined ? {} : { env: extras.env }),
    ...(configFile === undefined ? {} : { configFile }),
    ...(profile === undefined ? {} : { profile }),
    flags,
  };
  if (!extras.ignoreBrokenFile) return resolveConfig(loadOptions);
  try {
    return resolveConfig(loadOptions);
  } catch (error) {
    if (!(error instanceof RomaError) || error.code !== 'CONFIG_INVALID') throw error;
    const { configFile: _file, profile: _profile, ...withoutFile } = loadOptions;
    // Env and flags still have to be right: an error in them is not the file's, so it is thrown.
    return { ...resolveConfig({ ...withoutFile, readFile: false }), ignoredFileError: error };
  }
}

/** Like `resolveConfigFromCli` but returns only the config. */
export function loadConfigFromCli(
  commandOptions: OptionsLike,
  programOptions?: OptionsLike,
  extras: CliLoadExtras = {},
): RomaConfig {
  return resolveConfigFromCli(commandOptions, programOptions, extras).config;
}
