// Config of roma-ptc: one zod schema; defaults < roma.config.yaml (+ profile) < env < CLI flags; secrets.
export type { DotEnv } from './dotenv.js';
export { applyDotEnv, DOT_ENV_FILE, readDotEnv } from './dotenv.js';
export type { Env } from './env.js';
export {
  configFromEnv,
  envVariableMap,
  ROMA_ENV_ALIASES,
  ROMA_LOADER_ENV,
  screamingSnake,
  WELL_KNOWN_ENV,
} from './env.js';
export { DEFAULT_CONFIG_FILES, findConfigFile } from './file.js';
export { CLI_FLAG_KEYS, flagsFromOptions } from './flags.js';
export type { CliLoadExtras, LoadConfigOptions, LoadedConfig } from './load.js';
export { loadConfig, loadConfigFromCli, resolveConfig, resolveConfigFromCli } from './load.js';
export type { ImportedMcpServers } from './mcp-client-config.js';
export { importMcpClientConfig } from './mcp-client-config.js';
export type { RomaConfig, RomaConfigInput } from './schema.js';
export { defaultConfig, RomaConfigSchema } from './schema.js';
export {
  createSecretScrubber,
  isSecretPath,
  MIN_SCRUBBED_SECRET_LENGTH,
  REDACTED,
  redactConfig,
  redactError,
  redactJsonValue,
  redactUrl,
  redactValue,
  SecretList,
  secretValuesOf,
} from './secrets.js';
export type { CacheConfig } from './sections/cache.js';
export { CacheConfigSchema } from './sections/cache.js';
export type { EngineConfig, ModuleOverride } from './sections/engine.js';
export { EngineConfigSchema, ModuleOverrideSchema } from './sections/engine.js';
export type { LlmConfig } from './sections/llm.js';
export { LlmConfigSchema, ModelPriceSchema } from './sections/llm.js';
export type { McpServerConfig, PtcConfig } from './sections/ptc.js';
export { McpServerConfigSchema, PtcConfigSchema } from './sections/ptc.js';
export type { QueueConfig } from './sections/queue.js';
export { QueueConfigSchema } from './sections/queue.js';
export type { SandboxConfig } from './sections/sandbox.js';
export { SandboxConfigSchema } from './sections/sandbox.js';
export type { ServerConfig } from './sections/server.js';
export { ServerConfigSchema } from './sections/server.js';
export type { StoreConfig } from './sections/store.js';
export { StoreConfigSchema } from './sections/store.js';
export type { OtelConfig, TrackingConfig } from './sections/tracking.js';
export { OtelConfigSchema, TrackingConfigSchema } from './sections/tracking.js';
export type { ConfigSource, ConfigSources } from './sources.js';
export { describeSource, sourceOf } from './sources.js';
