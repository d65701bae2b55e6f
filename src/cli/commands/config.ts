// `roma config show|validate|env`: the effective config with secrets redacted and where each value came from.
import type { Command } from 'commander';
import { Document, isNode } from 'yaml';
import {
  describeSource,
  envVariableMap,
  type LoadedConfig,
  ROMA_LOADER_ENV,
  redactConfig,
  resolveConfigFromCli,
} from '../../config/index.js';

/** The effective config as YAML, secrets redacted, each non-default value commented with its source. */
function renderConfigYaml(loaded: LoadedConfig): string {
  const document = new Document(redactConfig(loaded.config));
  for (const [path, source] of Object.entries(loaded.sources)) {
    const node = document.getIn(path.split('.'), true);
    if (isNode(node)) node.comment = ` from ${describeSource(source)}`;
  }
  const file = loaded.file ?? 'none';
  const profile = loaded.profile ? `, profile ${loaded.profile}` : '';
  document.commentBefore = ` effective roma config (file: ${file}${profile}); secrets shown as ***`;
  return document.toString({ lineWidth: 0 });
}

/** The effective config as JSON, secrets redacted. */
function renderConfigJson(loaded: LoadedConfig): string {
  return JSON.stringify(redactConfig(loaded.config), null, 2);
}

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('show and check the effective configuration');
  config
    .command('show')
    .description('print the effective config (defaults < file < profile < env < flags), secrets redacted')
    .option('--json', 'print JSON instead of YAML')
    .action((options: { json?: boolean }, command: Command) => {
      const loaded = resolveConfigFromCli(command);
      console.log(options.json ? renderConfigJson(loaded) : renderConfigYaml(loaded));
    });
  config
    .command('validate')
    .description('check the config; exit code 1 with the offending key when it is invalid')
    .action((_options: unknown, command: Command) => {
      const loaded = resolveConfigFromCli(command);
      const profile = loaded.profile ? ` (profile ${loaded.profile})` : '';
      console.log(`config valid: ${loaded.file ?? 'no config file, defaults and env'}${profile}`);
    });
  config
    .command('env')
    .description('list the env vars roma reads and the config key each sets')
    .action(() => {
      // The loader's own variables pick the file and profile rather than set a key; list them too.
      const loader: Array<[string, string]> = ROMA_LOADER_ENV.map((name) => [
        name,
        name === 'ROMA_CONFIG' ? '(config file, like --config)' : '(profile, like --profile)',
      ]);
      const entries = [...Object.entries(envVariableMap()), ...loader];
      const width = Math.max(...entries.map(([name]) => name.length));
      for (const [name, path] of entries) console.log(`${name.padEnd(width)}  ${path}`);
    });
}
