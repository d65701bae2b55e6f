// `roma solve "<goal>"`: runs the recursive solver with a live task tree, then prints the answer and a summary.
import type { Command } from 'commander';
import { loadConfigFromCli } from '../../config/index.js';
import { openRuntime } from '../../runtime/index.js';
import { chooseOutputMode, presentRunToTerminal } from '../render/index.js';

interface SolveOptions {
  json?: boolean;
  verify?: boolean;
}

export function registerSolveCommand(program: Command): void {
  program
    .command('solve')
    .description('solve a goal with the recursive meta-agent; shows the task tree live, then the answer')
    .argument('<goal>', 'what to solve, in plain words')
    .option('--json', 'print the event stream as JSON lines instead of the tree')
    .option('--model <id>', 'model id, e.g. anthropic:claude-sonnet-4-5 or openai:gpt-4o-mini')
    .option('--max-depth <n>', 'deepest level of subtasks (engine.maxDepth)')
    .option('--max-concurrency <n>', 'model calls in flight at once (engine.maxConcurrency)')
    .option('--budget-usd <usd>', 'stop the run once it has cost this much (engine.budgets.maxCostUsd)')
    .option('--max-tokens <n>', 'stop the run after this many tokens (engine.budgets.maxTokens)')
    .option('--verify', 'check each result with the verifier and replan on a failed verdict (engine.verify)')
    .option('--profile <name>', 'config profile from roma.config.yaml')
    .action(async (goal: string, options: SolveOptions, command: Command) => {
      const config = loadConfigFromCli(command, undefined, {
        ...(options.verify ? { flags: { engine: { verify: true } } } : {}),
      });
      const runtime = await openRuntime(config, { logName: 'cli' });
      try {
        // No model configured → one clear line now, rather than a failed root task later.
        runtime.models.resolve(config.llm.model);
        const handle = runtime.runs.start({
          goal,
          ...(config.llm.model ? { modelId: config.llm.model } : {}),
        });
        const mode = chooseOutputMode(options.json, process.stdout);
        if (mode !== 'json') process.stderr.write(`run ${handle.executionId}\n`);
        await presentRunToTerminal(handle, mode, runtime.store);
      } finally {
        await runtime.close();
      }
    });
}
