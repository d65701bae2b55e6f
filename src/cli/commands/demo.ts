// `roma demo`: solves a bundled goal end to end with the scripted model server (offline, real SDK path).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { startScriptedModelServer } from '../../../test/support/scripted-model/index.js';
import type { RomaConfig } from '../../config/index.js';
import { resolveConfigFromCli } from '../../config/index.js';
import { parseJsonWith, RomaError } from '../../contracts/index.js';
import { ScriptedTreeSchema, scriptedTreeRules } from '../../engine/testing/scripted-tree.js';
import { chooseOutputMode, presentRunToTerminal } from '../render/index.js';
import { openEngineRuntime } from '../wiring/index.js';
import { parseIntegerOption } from './integer-option.js';

export const DEMO_MODEL_ID = 'openai:roma-demo-scripted';

/** From `src/cli/commands` (tsx) or `dist/src/cli/commands` (built), the package's `examples/demo`. */
export function demoScriptPath(name = 'sky.json'): string {
  const candidates = ['../../../examples/demo/', '../../../../examples/demo/'].map((base) =>
    fileURLToPath(new URL(`${base}${name}`, import.meta.url)),
  );
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new RomaError('NOT_FOUND', `demo script ${name} not found (looked in ${candidates.join(', ')})`, {
      fix: 'run from a full checkout or an installed package that includes examples/',
    });
  }
  return found;
}

/** An illustrative price, so the demo shows cost accounting at work; `llm.prices` in config overrides it. */
export const DEMO_PRICE = { inputPerMillionUsd: 3, outputPerMillionUsd: 15 } as const;

export function demoConfig(base: RomaConfig, openaiBaseUrl: string): RomaConfig {
  return {
    ...base,
    // Only the model is scripted; the rest of the config (store, cache, REDIS_URL…) is the user's own.
    llm: {
      ...base.llm,
      model: DEMO_MODEL_ID,
      openaiBaseUrl,
      openaiApiKey: 'scripted-demo-no-key',
      prices: { [DEMO_MODEL_ID]: DEMO_PRICE, ...base.llm.prices },
    },
    engine: { ...base.engine, maxDepth: 2, maxConcurrency: Math.max(base.engine.maxConcurrency, 4) },
  };
}

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
      const file = demoScriptPath();
      const parsed = parseJsonWith(ScriptedTreeSchema, readFileSync(file, 'utf8'), file);
      if (!parsed.ok) throw new RomaError('VALIDATION_FAILED', parsed.message);
      const latencyMs = parseIntegerOption('--latency-ms', options.latencyMs, { min: 0, max: 10_000 });
      const server = await startScriptedModelServer({
        rules: scriptedTreeRules({ ...parsed.value, latencyMs }),
      });
      try {
        // The demo needs nothing from roma.config.yaml: a broken one is reported, not a reason to stop.
        const loaded = resolveConfigFromCli(command, undefined, { ignoreBrokenFile: true });
        if (loaded.ignoredFileError) {
          console.error(`roma: demo goes on without the config file: ${loaded.ignoredFileError.toLine()}`);
        }
        const config = demoConfig(loaded.config, server.openaiBaseUrl);
        const mode = chooseOutputMode(options.json, process.stdout);
        if (mode !== 'json') process.stdout.write(`${BANNER}\ngoal: ${parsed.value.goal}\n\n`);
        const runtime = await openEngineRuntime(config);
        try {
          const handle = runtime.start(
            { goal: parsed.value.goal, modelId: DEMO_MODEL_ID },
            { cancelPollIntervalMs: 500 },
          );
          const { outcome, totals } = await presentRunToTerminal(handle, mode, runtime.store);
          if (mode !== 'json') {
            const cache = config.cache.redisUrl ? 'Redis' : config.cache.enabled ? 'in-memory' : 'off';
            process.stdout.write(
              `\nupstream model calls: ${server.requests.length} (cache ${cache}; ${totals.cacheHits} of ${totals.modelCalls} calls answered from it)\n` +
                `see it again: npx roma runs show ${outcome.executionId}\n`,
            );
          }
        } finally {
          await runtime.close();
        }
      } finally {
        await server.close();
      }
    });
}
