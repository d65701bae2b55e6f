// `roma dev scripted-model`: runs the scripted model server standalone, for demos and manual testing.
import type { Command } from 'commander';
import { RomaError } from '../../contracts/index.js';
import { loadScriptFile, startScriptedModelServer } from '../../dev/scripted-model/index.js';

interface ScriptedModelOptions {
  script: string;
  port: string;
  host: string;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RomaError('VALIDATION_FAILED', `--port must be an integer 0–65535, got "${text}"`, {
      field: 'port',
      fix: 'pass --port 0 for a free port',
    });
  }
  return port;
}

async function runScriptedModel(options: ScriptedModelOptions): Promise<void> {
  const script = loadScriptFile(options.script);
  const server = await startScriptedModelServer({
    rules: script.rules,
    port: parsePort(options.port),
    host: options.host,
    ...(script.latencyMs === undefined ? {} : { latencyMs: script.latencyMs }),
  });
  console.log(`scripted model server: ${script.rules.length} rule(s) from ${options.script}`);
  if (script.goal)
    console.log(`  a task tree: \`roma solve "${script.goal}" --model openai:<any>\` solves it`);
  console.log(`  OpenAI chat completions: ${server.openaiBaseUrl}   (OPENAI_BASE_URL, model openai:<any>)`);
  console.log(
    `  Anthropic messages:      ${server.anthropicBaseUrl}   (ANTHROPIC_BASE_URL, model anthropic:<any>)`,
  );
  console.log('  any API key works; Ctrl-C stops it');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  console.log(`scripted model server stopped after ${server.requests.length} request(s)`);
}

export function registerDevCommand(program: Command): void {
  const dev = program.command('dev').description('developer tools');
  dev
    .command('scripted-model')
    .description(
      'serve scripted OpenAI/Anthropic model replies from a YAML/JSON script (for demos and tests)',
    )
    .requiredOption('-s, --script <file>', 'script of rules (.yaml, .yml or .json)')
    .option('--port <port>', 'port to listen on (0 = any free port)', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .action(async (options: ScriptedModelOptions) => {
      await runScriptedModel(options);
    });
}
