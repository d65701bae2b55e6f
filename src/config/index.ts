// Config of roma-ptc: one zod schema; defaults < roma.config.yaml (+ profile) < env < CLI flags; secrets.
export { applyDotEnv } from './dotenv.js';
export type { Env } from './env.js';
export {
  envVariableMap,
  ROMA_ENV_ALIASES,
  ROMA_LOADER_ENV,
  WELL_KNOWN_ENV,
} from './env.js';
export { DEFAULT_CONFIG_FILES } from './file.js';
export { CLI_FLAG_KEYS } from './flags.js';
export type { LoadConfigOptions, LoadedConfig } from './load.js';
export { loadConfig, loadConfigFromCli, resolveConfig, resolveConfigFromCli } from './load.js';
export type { ImportedMcpServers } from './mcp-client-config.js';
export { importMcpClientConfig } from './mcp-client-config.js';
export type { RomaConfig } from './schema.js';
export { defaultConfig } from './schema.js';
export {
  createSecretScrubber,
  isSecretPath,
  redactConfig,
  redactUrl,
  SecretList,
  secretValuesOf,
} from './secrets.js';
export type { EngineConfig } from './sections/engine.js';
export type { SandboxConfig } from './sections/sandbox.js';
export { describeSource } from './sources.js';
