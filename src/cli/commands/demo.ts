// `roma demo`: solves a bundled goal end to end with the scripted demo model (offline, real SDK path).
import type { Command } from 'commander';
import { resolveConfigFromCli } from '../../config/index.js';
import { RomaError } from '../../contracts/index.js';
import { openRuntime } from '../../runtime/index.js';
import { chooseOutputMode, presentRunToTerminal } from '../render/index.js';
import { renderPtcSavings } from '../render/ptc-savings.js';
import { parseIntegerOption } from './integer-option.js';

const BANNER = `roma demo — the model is SCRIPTED: a local server answers with canned replies over the real
OpenAI wire format, so this runs offline and costs nothing (costs shown are at an illustrative
$3 / $15 per million input / output tokens). To use a real model:
  export ANTHROPIC_API_KEY=…   then   npx roma solve "your goal" --model anthropic:claude-sonnet-4-5
  (or OPENAI_API_KEY=… and OPENAI_BASE_URL=… for OpenRouter, Ollama, vLLM, with --model openai:<model>)
`;

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('solve a bundled goal offline with a scripted model (3-level task tree)')
    .option('--json', 'print the event stream as JSON lines')
    .option('--latency-ms <ms>', 'scripted reply latency, to watch the tree grow', '150')
    .action(async (options: { json?: boolean; latencyMs: string }, command: Command) => {
      const latencyMs = parseIntegerOption('--latency-ms', options.latencyMs, { min: 0, max: 10_000 });
      // The demo needs nothing from roma.config.yaml: a broken one is reported, not a reason to stop.
      const loaded = resolveConfigFromCli(command, undefined, { ignoreBrokenFile: true });
      if (loaded.ignoredFileError) {
        console.error(`roma: demo goes on without the config file: ${loaded.ignoredFileError.toLine()}`);
      }
      const runtime = await openRuntime(loaded.config, { demo: { latencyMs }, logName: 'cli' });
      try {
        const demo = runtime.demoModel;
        if (!demo) throw new RomaError('INTERNAL', 'the runtime started no demo model');
        const mode = chooseOutputMode(options.json, process.stdout);
        if (mode !== 'json') process.stdout.write(`${BANNER}\ngoal: ${demo.goal}\n\n`);
        const handle = runtime.runs.start({ goal: demo.goal, modelId: demo.modelId });
        const { outcome, totals } = await presentRunToTerminal(handle, mode, runtime.store);
        if (mode !== 'json') {
          process.stdout.write(renderPtcSavings(await runtime.store.readEvents(outcome.executionId)));
          const { cache } = runtime.config;
          const kind = cache.redisUrl ? 'Redis' : cache.enabled ? 'in-memory' : 'off';
          process.stdout.write(
            `\nupstream model calls: ${demo.server.requests.length} (cache ${kind}; ${totals.cacheHits} of ${totals.modelCalls} calls answered from it)\n` +
              `see it again: npx roma runs show ${outcome.executionId}\n`,
          );
        }
      } finally {
        await runtime.close();
      }
    });
}
