// Builds the `roma` commander program from the command modules in `commands/`.
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { ROMA_VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('roma')
    .description('ROMA recursive meta-agent with programmatic tool calling (PTC) in a sandbox')
    .version(ROMA_VERSION)
    .option('-c, --config <file>', 'config file (default: ./roma.config.yaml when present)')
    .option('-p, --profile <name>', 'config profile from the config file')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}
