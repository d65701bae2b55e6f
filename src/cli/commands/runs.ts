// `roma runs list|show|resume|cancel|export|import`: stored runs, from their event logs.

import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { RomaConfig } from '../../config/index.js';
import { loadConfigFromCli } from '../../config/index.js';
import type { StreamEvent } from '../../contracts/index.js';
import { parseJsonWith, RomaError, StreamEventSchema } from '../../contracts/index.js';
import type { RunControl } from '../../engine/index.js';
import { foldTaskTree, foldTotals } from '../../engine/index.js';
import type { Runtime } from '../../runtime/index.js';
import { openRuntime } from '../../runtime/index.js';
import { exportRunToMlflow } from '../../tracking/index.js';
import type { OutputMode, OutputStream } from '../render/index.js';
import {
  chooseOutputMode,
  clip,
  createEventPresenter,
  formatCost,
  presentRunToTerminal,
  renderOutcomeText,
  renderTreeLines,
} from '../render/index.js';
import { readInputFile } from './input-file.js';
import { parseIntegerOption } from './integer-option.js';

/** The runtime's stores only: listing, showing, cancelling or watching runs needs no model, cache or sandbox. */
async function withStoreRuntime<T>(config: RomaConfig, action: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(config, { services: 'store', logName: 'cli' });
  try {
    return await action(runtime);
  } finally {
    await runtime.close();
  }
}

async function readLog(runtime: Runtime, executionId: string): Promise<StreamEvent[]> {
  const events = await runtime.store.readEvents(executionId);
  if (events.length === 0) {
    throw new RomaError('NOT_FOUND', `no run ${executionId} in the store`, {
      fix: 'list runs with `roma runs list`',
    });
  }
  return events;
}

/**
 * Prints a run's events as they are appended, until the run ends or Ctrl-C. An ended run is printed whole;
 * a run whose process died is printed as far as it got, with how to continue it.
 */
export async function watchRun(
  runs: RunControl,
  executionId: string,
  mode: OutputMode,
  stream: OutputStream,
): Promise<void> {
  const presenter = createEventPresenter(mode, stream);
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  const events: StreamEvent[] = [];
  try {
    const follow = runs.follow(executionId, { signal: controller.signal });
    for await (const event of follow) {
      events.push(event);
      presenter.show(event);
    }
    if (follow.end?.kind === 'runner-gone') {
      process.stderr.write(
        `roma: run ${executionId} is not running: process ${follow.end.runner.pid} ended without finishing it — continue it with \`roma runs resume ${executionId}\`\n`,
      );
      process.exitCode = 1;
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    presenter.finish();
  }
  if (mode !== 'json') stream.write(`${renderOutcomeText(executionId, foldTotals(events))}\n`);
  // Like `roma solve`: the exit code says whether the run succeeded, so scripts can wait on a run with watch.
  const final = await runs.get(executionId);
  if (final && final.status !== 'COMPLETED' && final.status !== 'RUNNING') process.exitCode = 1;
}

function parseEventLines(text: string, source: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    const parsed = parseJsonWith(StreamEventSchema, line, `${source}:${index + 1}`);
    if (!parsed.ok)
      throw new RomaError('VALIDATION_FAILED', parsed.message, { field: `${source}:${index + 1}` });
    events.push(parsed.value);
  }
  return events;
}

export function registerRunsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description('stored runs: list, show, watch, resume, cancel, export, import');

  runs
    .command('list')
    .description('recent runs, newest first')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (options: { limit: string; json?: boolean }, command: Command) => {
      const config = loadConfigFromCli(command);
      await withStoreRuntime(config, async ({ runs }) => {
        const list = await runs.list({
          limit: parseIntegerOption('--limit', options.limit, { min: 1, max: 10_000 }),
        });
        if (options.json) {
          console.log(JSON.stringify(list, null, 2));
          return;
        }
        if (list.length === 0) {
          console.log('no runs yet: try `roma solve "<goal>"` or `npm run demo`');
          return;
        }
        for (const run of list) {
          const tokens = run.usage.inputTokens + run.usage.outputTokens;
          console.log(
            `${run.id}  ${run.status.padEnd(9)}  ${run.createdAt.slice(0, 19).replace('T', ' ')}  ${String(run.nodeCount).padStart(3)} tasks  ${String(tokens).padStart(7)} tok  ${formatCost(run.usage.costUsd).padStart(8)}  ${clip(run.goal, 60)}`,
          );
        }
        // RUNNING is what the log says; a killed process never wrote its end. Say which ones nobody runs.
        for (const run of list.filter((listed) => listed.status === 'RUNNING')) {
          const liveness = await runs.liveness(run.id);
          if (liveness.orphaned) {
            const runner = liveness.runner;
            const gone =
              runner?.hostname && runner.hostname !== hostname()
                ? `process ${runner.pid} on ${runner.hostname} stopped beating`
                : `process ${runner?.pid} is gone`;
            console.error(
              `note: ${run.id} is not running (${gone}): \`roma runs resume ${run.id}\` continues it`,
            );
          }
        }
      });
    });

  runs
    .command('show')
    .description('the task tree and totals of a run')
    .argument('<id>', 'run id')
    .option('--json', 'print the tasks and totals as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const config = loadConfigFromCli(command);
      await withStoreRuntime(config, async (runtime) => {
        const events = await readLog(runtime, id);
        const tree = foldTaskTree(events);
        const totals = foldTotals(events);
        if (options.json) {
          console.log(JSON.stringify({ tasks: [...tree.nodes.values()], totals }, null, 2));
          return;
        }
        console.log(`goal: ${tree.goal ?? ''}`);
        for (const line of renderTreeLines(tree, {
          width: process.stdout.columns ?? 120,
          showResults: true,
        })) {
          console.log(line);
        }
        console.log(renderOutcomeText(id, totals));
      });
    });

  runs
    .command('watch')
    .description('follow a run live from its log (from any process or machine sharing the store)')
    .argument('<id>', 'run id')
    .option('--json', 'print the events as JSON lines')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const config = loadConfigFromCli(command);
      await withStoreRuntime(config, async ({ runs }) => {
        await watchRun(runs, id, chooseOutputMode(options.json, process.stdout), process.stdout);
      });
    });

  runs
    .command('resume')
    .description('continue a crashed, stopped or cancelled run; finished tasks are not redone')
    .argument('<id>', 'run id')
    .option('--json', 'print the event stream as JSON lines')
    .option('--force', 'resume even if the log says a live process still runs it')
    .option(
      '--budget-usd <usd>',
      'cost budget of the whole run, earlier part included (engine.budgets.maxCostUsd)',
    )
    .option(
      '--max-tokens <n>',
      'token budget of the whole run, earlier part included (engine.budgets.maxTokens)',
    )
    .option('--max-concurrency <n>', 'model calls in flight at once (engine.maxConcurrency)')
    .action(async (id: string, options: { json?: boolean; force?: boolean }, command: Command) => {
      const config = loadConfigFromCli(command);
      const runtime = await openRuntime(config, { logName: 'cli', resumes: id });
      try {
        const handle = runtime.runs.resume(id, { force: options.force ?? false });
        const mode = chooseOutputMode(options.json, process.stdout);
        await presentRunToTerminal(handle, mode, runtime.store);
      } finally {
        await runtime.close();
      }
    });

  runs
    .command('cancel')
    .description('cancel a running run (the process running it stops; or marked cancelled if none is)')
    .argument('<id>', 'run id')
    .option('--reason <text>', 'recorded with the request', 'cancelled from the command line')
    .option('--wait-ms <ms>', 'how long to wait for the running process to stop', '5000')
    .action(async (id: string, options: { reason: string; waitMs: string }, command: Command) => {
      const config = loadConfigFromCli(command);
      const waitMs = parseIntegerOption('--wait-ms', options.waitMs, { min: 0, max: 600_000 });
      await withStoreRuntime(config, async ({ runs }) => {
        console.log((await runs.cancel(id, { reason: options.reason, waitMs })).message);
      });
    });

  runs
    .command('export')
    .description(
      'the whole event log of a run as JSON lines (re-importable with `roma runs import`), or into MLflow',
    )
    .argument('<id>', 'run id')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--to <target>', 'jsonl (default) or mlflow (MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT)', 'jsonl')
    .action(async (id: string, options: { output?: string; to: string }, command: Command) => {
      const config = loadConfigFromCli(command);
      if (options.to !== 'jsonl' && options.to !== 'mlflow') {
        throw new RomaError('VALIDATION_FAILED', `unknown export target "${options.to}"`, {
          field: '--to',
          fix: 'use --to jsonl or --to mlflow',
        });
      }
      await withStoreRuntime(config, async (runtime) => {
        const events = await readLog(runtime, id);
        if (options.to === 'mlflow') {
          const trackingUri = config.server.mlflowTrackingUri;
          if (!trackingUri) {
            throw new RomaError('CONFIG_INVALID', 'no MLflow tracking server configured', {
              field: 'MLFLOW_TRACKING_URI',
              fix: 'export MLFLOW_TRACKING_URI=http://127.0.0.1:5000 (or set server.mlflowTrackingUri)',
            });
          }
          const globals = command.optsWithGlobals() as { profile?: string };
          const runId = await exportRunToMlflow(events, {
            trackingUri,
            experimentName: config.tracking.mlflowExperiment,
            profile: globals.profile ?? process.env.ROMA_PROFILE ?? null,
          });
          console.log(
            `exported ${events.length} events of ${id} to MLflow run ${runId} (experiment ${config.tracking.mlflowExperiment})`,
          );
          return;
        }
        const text = events.map((event) => JSON.stringify(event)).join('\n') + '\n';
        if (options.output) {
          writeFileSync(options.output, text);
          console.error(`wrote ${events.length} events to ${options.output}`);
        } else process.stdout.write(text);
      });
    });

  runs
    .command('import')
    .description('import a run exported with `roma runs export` (same id and sequence numbers)')
    .argument('<file>', 'JSONL file')
    .action(async (file: string, _options: unknown, command: Command) => {
      const config = loadConfigFromCli(command);
      const events = parseEventLines(readInputFile(file), file);
      await withStoreRuntime(config, async ({ store }) => {
        const summary = await store.importEvents(events);
        console.log(`imported run ${summary.id} (${summary.lastSeq} events, ${summary.status})`);
      });
    });
}
