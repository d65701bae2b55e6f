// Env vars → a config layer: `ROMA_<SECTION>_<KEY>` in SCREAMING_SNAKE for every key, plus the well-known
// variables users already have (ANTHROPIC_API_KEY, REDIS_URL, DATABASE_URL…).
import { RomaError } from '../contracts/index.js';
import type { ConfigLayer } from './layer.js';
import { setAtPath } from './paths.js';
import { coerceToLeaf, scalarLeafPaths } from './schema-walk.js';
import { closestName } from './suggest.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Variables other tools already use, mapped to their config key. Lowest precedence among env vars. */
export const WELL_KNOWN_ENV: Readonly<Record<string, string>> = {
  ANTHROPIC_API_KEY: 'llm.anthropicApiKey',
  ANTHROPIC_BASE_URL: 'llm.anthropicBaseUrl',
  OPENAI_API_KEY: 'llm.openaiApiKey',
  OPENAI_BASE_URL: 'llm.openaiBaseUrl',
  REDIS_URL: 'cache.redisUrl',
  DATABASE_URL: 'store.databaseUrl',
  S3_ENDPOINT: 'store.s3Endpoint',
  S3_BUCKET: 'store.s3Bucket',
  AWS_REGION: 'store.s3Region',
  AWS_ACCESS_KEY_ID: 'store.s3AccessKeyId',
  AWS_SECRET_ACCESS_KEY: 'store.s3SecretAccessKey',
  DAYTONA_API_KEY: 'sandbox.daytonaApiKey',
  DAYTONA_API_URL: 'sandbox.daytonaApiUrl',
  DAYTONA_TARGET: 'sandbox.daytonaTarget',
  MLFLOW_TRACKING_URI: 'server.mlflowTrackingUri',
  PTC_SERVICE_URL: 'ptc.serviceUrl',
  PTC_SERVICE_API_KEY: 'ptc.serviceApiKey',
  MLFLOW_EXPERIMENT: 'tracking.mlflowExperiment',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'otel.endpoint',
  OTEL_SERVICE_NAME: 'otel.serviceName',
};

/** Short `ROMA_*` names for the keys people set most; above the well-known ones, below `ROMA_<SECTION>_<KEY>`. */
export const ROMA_ENV_ALIASES: Readonly<Record<string, string>> = {
  ROMA_MODEL: 'llm.model',
  ROMA_LOG_LEVEL: 'server.logLevel',
  ROMA_DATA_DIR: 'store.dataDir',
  ROMA_QUEUE: 'queue.mode',
};

/** `ROMA_*` variables that choose how config is loaded rather than a config value. */
export const ROMA_LOADER_ENV = ['ROMA_CONFIG', 'ROMA_PROFILE'] as const;

function screamingSnake(path: readonly string[]): string {
  return path
    .map((segment) => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_'))
    .join('_')
    .toUpperCase();
}

let sectionVariables: Map<string, string> | undefined;

/** `ROMA_ENGINE_MAX_DEPTH` → `engine.maxDepth`, for every scalar key of the schema. */
function sectionEnvVariables(): ReadonlyMap<string, string> {
  if (!sectionVariables) {
    sectionVariables = new Map();
    for (const path of scalarLeafPaths())
      sectionVariables.set(`ROMA_${screamingSnake(path)}`, path.join('.'));
  }
  return sectionVariables;
}

function sectionPrefixes(): string[] {
  const sections = new Set<string>();
  for (const path of sectionVariables?.values() ?? sectionEnvVariables().values()) {
    sections.add(`ROMA_${screamingSnake([path.split('.')[0]!])}_`);
  }
  return [...sections];
}

/** Every env var the loader reads, with the config key it sets. */
export function envVariableMap(): Record<string, string> {
  return { ...WELL_KNOWN_ENV, ...ROMA_ENV_ALIASES, ...Object.fromEntries(sectionEnvVariables()) };
}

/**
 * The config layer set by `env`. Empty values count as unset (a blank line of a `.env` file). Variables
 * named in `fromFile` are reported as coming from that file.
 * An unknown `ROMA_<SECTION>_…` variable close to a known name is an error naming that name (a typo).
 */
export function configFromEnv(
  env: Env,
  options: { fromFile?: { file: string; names: ReadonlySet<string> } } = {},
): ConfigLayer {
  const layer: ConfigLayer = { values: {}, sources: {} };
  const fromFile = options.fromFile;
  const apply = (variable: string, dotted: string): void => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return;
    const path = dotted.split('.');
    setAtPath(layer.values, path, coerceToLeaf(path, raw));
    layer.sources[dotted] = fromFile?.names.has(variable)
      ? { kind: 'env', variable, file: fromFile.file }
      : { kind: 'env', variable };
  };
  for (const [variable, dotted] of Object.entries(WELL_KNOWN_ENV)) apply(variable, dotted);
  for (const [variable, dotted] of Object.entries(ROMA_ENV_ALIASES)) apply(variable, dotted);
  const known = sectionEnvVariables();
  const prefixes = sectionPrefixes();
  for (const variable of Object.keys(env).sort()) {
    const dotted = known.get(variable);
    if (dotted) {
      apply(variable, dotted);
      continue;
    }
    if (env[variable] === undefined || env[variable] === '') continue;
    if (!prefixes.some((prefix) => variable.startsWith(prefix))) continue;
    const suggestion = closestName(variable, [...known.keys()], 2);
    // Only a near miss is surely a typo; other `ROMA_<SECTION>_…` names may belong to tools and tests.
    if (!suggestion) continue;
    throw new RomaError('CONFIG_INVALID', `unknown env var (from env ${variable})`, {
      field: variable,
      fix: `did you mean ${suggestion}? Rename or unset ${variable}`,
    });
  }
  return layer;
}
