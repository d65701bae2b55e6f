// `roma runs list|show|resume|cancel|export|import`: stored runs, from their event logs.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { RomaConfig } from '../../config/index.js';
import { loadConfigFromCli } from '../../config/index.js';
import type { StreamEvent } from '../../contracts/index.js';
import { parseJsonWith, RomaError, StreamEventSchema } from '../../contracts/index.js';
import { foldResumeState, foldTaskTree, foldTotals, isProcessAlive } from '../../engine/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { openExecutionStore } from '../../store/index.js';
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
import { openEngineRuntime } from '../wiring/index.js';
import { readInputFile } from './input-file.js';
import { parseIntegerOption } from './integer-option.js';

async function withStore<T>(config: RomaConfig, action: (store: ExecutionStore) => Promise<T>): Promise<T> {
  const store = await openExecutionStore(config.store);
  try {
    return await action(store);
  } finally {
    await store.close();
  }
}

async function readLog(store: ExecutionStore, executionId: string): Promise<StreamEvent[]> {
  const events = await store.readEvents(executionId);
  if (events.length === 0) {
    throw new RomaError('NOT_FOUND', `no run ${executionId} in the store`, {
      fix: 'list runs with `roma runs list`',
    });
  }
  return events;
}

/** The pid recorded for a RUNNING run when that process is known to be gone (same host, not alive). */
async function deadRunner(store: ExecutionStore, executionId: string): Promise<number | null> {
  const state = foldResumeState(await store.readEvents(executionId));
  const pid = typeof state?.options.pid === 'number' ? state.options.pid : null;
  const sameHost = state?.options.hostname === hostname();
  return pid !== null && sameHost && !isProcessAlive(pid) ? pid : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Records the request; the process running the run notices it within a poll and cancels. When that process
 * is known to be gone (same host, pid not alive), nobody would notice: the run is marked CANCELLED here.
 */
export async function cancelRun(
  store: ExecutionStore,
  executionId: string,
  options: { reason: string; waitMs: number },
): Promise<string> {
  const summary = await store.getExecution(executionId);
  if (!summary) throw new RomaError('NOT_FOUND', `no run ${executionId} in the store`);
  if (summary.status !== 'RUNNING') return `run ${executionId} already ended: ${summary.status}`;
  const state = foldResumeState(await store.readEvents(executionId));
  const pid = typeof state?.options.pid === 'number' ? state.options.pid : null;
  const runHost = typeof state?.options.hostname === 'string' ? state.options.hostname : null;
  const sameHost = runHost === hostname();
  await store.append({
    type: 'execution-cancel-requested',
    executionId,
    timestamp: new Date().toISOString(),
    reason: options.reason,
  });
  const orphaned = pid !== null && sameHost && !isProcessAlive(pid);
  if (!orphaned) {
    // Bounded wait for the running process to end the run itself.
    const deadline = Date.now() + options.waitMs;
    while (Date.now() < deadline) {
      const now = await store.getExecution(executionId);
      if (now && now.status !== 'RUNNING') return `run ${executionId} cancelled (${now.status})`;
      await sleep(200);
    }
    if (pid !== null && sameHost)
      return `cancel requested; process ${pid} has not ended run ${executionId} yet`;
    if (pid !== null) {
      return `cancel requested; the process running ${executionId} on ${runHost ?? 'another host'} stops at its next check`;
    }
    // No process ever recorded itself (it died while starting): nobody will notice the request.
  }
  const totals = foldTotals(await store.readEvents(executionId));
  await store.append({
    type: 'execution-end',
    executionId,
    timestamp: new Date().toISOString(),
    status: 'CANCELLED',
    reason: 'cancelled',
    result: null,
    error: { code: 'CANCELLED', message: `cancelled while no process was running it: ${options.reason}` },
    usage: totals.usage,
    nodeCount: totals.nodes,
    durationMs: 0,
  });
  return `run ${executionId} cancelled (no process was running it)`;
}

/**
 * Prints a run's events as they are appended, until the run ends (an execution-end after the point where the
 * watch began) or Ctrl-C. An ended run is printed whole.
 */
export async function watchRun(
  store: ExecutionStore,
  executionId: string,
  mode: OutputMode,
  stream: OutputStream,
): Promise<void> {
  const summary = await store.getExecution(executionId);
  if (!summary) throw new RomaError('NOT_FOUND', `no run ${executionId} in the store`);
  const presenter = createEventPresenter(mode, stream);
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const orphan = summary.status === 'RUNNING' ? await deadRunner(store, executionId) : null;
    if (summary.status !== 'RUNNING' || orphan !== null) {
      for (const event of await store.readEvents(executionId)) presenter.show(event);
      if (orphan !== null) {
        // Following would wait forever: nothing will append to this log until someone resumes it.
        process.stderr.write(
          `roma: run ${executionId} is not running: process ${orphan} ended without finishing it — continue it with \`roma runs resume ${executionId}\`\n`,
        );
        process.exitCode = 1;
      }
    } else {
      // The runner can die while we follow (kill -9, a crash): check now and then, and stop rather than hang.
      let diedAs: number | null = null;
      const livenessTimer = setInterval(() => {
        deadRunner(store, executionId)
          .then((pid) => {
            if (pid === null) return;
            diedAs = pid;
            controller.abort();
          })
          .catch(() => undefined);
      }, 2_000);
      try {
        for await (const event of store.follow(executionId, {
          signal: controller.signal,
          pollIntervalMs: 200,
        })) {
          presenter.show(event);
          if (event.type === 'execution-end' && event.seq > summary.lastSeq) break;
        }
      } finally {
        clearInterval(livenessTimer);
      }
      const latest = await store.getExecution(executionId);
      if (diedAs !== null && latest?.status === 'RUNNING') {
        process.stderr.write(
          `roma: run ${executionId} stopped: process ${diedAs} ended without finishing it — continue it with \`roma runs resume ${executionId}\`\n`,
        );
        process.exitCode = 1;
      }
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    presenter.finish();
  }
  if (mode !== 'json') {
    stream.write(`${renderOutcomeText(executionId, foldTotals(await store.readEvents(executionId)))}\n`);
  }
  // Like `roma solve`: the exit code says whether the run succeeded, so scripts can wait on a run with watch.
  const final = await store.getExecution(executionId);
  if (final && final.status !== 'COMPLETED' && final.status !== 'RUNNING') process.exitCode = 1;
}

export function parseEventLines(text: string, source: string): StreamEvent[] {
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
      await withStore(config, async (store) => {
        const list = await store.listExecutions({
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
          const pid = await deadRunner(store, run.id);
          if (pid !== null) {
            console.error(
              `note: ${run.id} is not running (process ${pid} is gone): \`roma runs resume ${run.id}\` continues it`,
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
      await withStore(config, async (store) => {
        const events = await readLog(store, id);
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
      await withStore(config, async (store) => {
        await watchRun(store, id, chooseOutputMode(options.json, process.stdout), process.stdout);
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
      const runtime = await openEngineRuntime(config);
      try {
        const handle = runtime.resume(id, { force: options.force ?? false }, { cancelPollIntervalMs: 500 });
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
      await withStore(config, async (store) => {
        const waitMs = parseIntegerOption('--wait-ms', options.waitMs, { min: 0, max: 600_000 });
        console.log(await cancelRun(store, id, { reason: options.reason, waitMs }));
      });
    });

  runs
    .command('export')
    .description('the whole event log of a run as JSON lines (re-importable with `roma runs import`)')
    .argument('<id>', 'run id')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (id: string, options: { output?: string }, command: Command) => {
      const config = loadConfigFromCli(command);
      await withStore(config, async (store) => {
        const events = await readLog(store, id);
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
      await withStore(config, async (store) => {
        const summary = await store.importEvents(events);
        console.log(`imported run ${summary.id} (${summary.lastSeq} events, ${summary.status})`);
      });
    });
}
