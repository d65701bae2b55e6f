// `roma cache stats|clear|warm`: the LLM-response and PTC result caches (Redis with REDIS_URL, else in-memory).
import type { Command } from 'commander';
import {
  type CacheStatsReport,
  type CacheStatsRow,
  readCacheStats,
  type WarmReport,
  warmCacheFromJsonl,
  warmCacheFromRun,
} from '../../cache/index.js';
import { resolveConfigFromCli } from '../../config/index.js';
import { RomaError } from '../../contracts/index.js';
import { openRuntime, warmingCache, withCacheStore } from '../../runtime/index.js';
import { readInputFile } from './input-file.js';

const NAMESPACES = ['llm', 'ptc'] as const;
/** A warm file is read whole; beyond this it should be split. */
const MAX_WARM_FILE_BYTES = 512 * 1_048_576;

function namespaceOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if ((NAMESPACES as readonly string[]).includes(value)) return value;
  throw new RomaError('VALIDATION_FAILED', `unknown namespace "${value}"`, {
    field: '--namespace',
    fix: `use one of ${NAMESPACES.join(', ')}`,
  });
}

function formatUsd(amount: number): string {
  return `$${amount.toFixed(amount >= 1 ? 2 : 6)}`;
}

function tableRow(row: CacheStatsRow): string[] {
  const { counters } = row;
  return [
    row.namespace,
    row.model,
    String(row.hits),
    String(row.misses),
    `${(row.hitRate * 100).toFixed(1)}%`,
    String(counters.inputTokensSaved + counters.outputTokensSaved),
    formatUsd(counters.costSavedUsd),
    String(counters.bypassed),
    String(counters.singleFlightJoins),
    String(counters.errors),
    String(counters.corrupt),
    String(counters.oversize),
  ];
}

function renderStatsTable(report: CacheStatsReport): string {
  const header = [
    'namespace',
    'model',
    'hits',
    'misses',
    'hit rate',
    'tokens saved',
    'cost saved',
    'bypassed',
    'joins',
    'errors',
    'corrupt',
    'oversize',
  ];
  const rows = [
    header,
    ...report.rows.map(tableRow),
    tableRow({ ...report.totals, namespace: 'total', model: '' }),
  ];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function printWarmReport(report: WarmReport): void {
  for (const problem of report.problems) {
    // Parse messages already start with `line N`; others get it here.
    const prefix = `line ${problem.line}`;
    console.error(problem.message.startsWith(prefix) ? problem.message : `${prefix}: ${problem.message}`);
  }
  console.log(`warmed ${report.stored} of ${report.lines} entries (${report.skipped} skipped)`);
  // A bad line is a broken workload file: say so in the exit code, after loading the good lines.
  if (report.problems.length > 0) process.exitCode = 1;
}

export function registerCacheCommand(program: Command): void {
  const cache = program
    .command('cache')
    .description('the LLM-response and PTC result caches (Redis with REDIS_URL, else in-memory per process)');

  cache
    .command('stats')
    .description('hits, misses, tokens and cost saved, errors, per namespace and model')
    .option('-n, --namespace <name>', `only one namespace (${NAMESPACES.join(', ')})`)
    .option('--json', 'print JSON')
    .action(async (options: { namespace?: string; json?: boolean }, command: Command) => {
      const { config } = resolveConfigFromCli(command);
      const namespace = namespaceOption(options.namespace);
      const report = await withCacheStore(config, (store) => readCacheStats(store, namespace));
      if (options.json) {
        console.log(JSON.stringify(report, null, 2));
        return;
      }
      console.log(renderStatsTable(report));
      if (!config.cache.redisUrl) {
        console.log(
          '(in-memory cache: it lives inside each process; set REDIS_URL to share it and keep its stats)',
        );
      }
    });

  cache
    .command('clear')
    .description('remove cached entries and their stats (all, or one namespace)')
    .option('-n, --namespace <name>', `only one namespace (${NAMESPACES.join(', ')})`)
    .action(async (options: { namespace?: string }, command: Command) => {
      const { config } = resolveConfigFromCli(command);
      const namespace = namespaceOption(options.namespace);
      const removed = await withCacheStore(config, async (store) =>
        store.clear(namespace ? `${namespace}:` : ''),
      );
      console.log(`removed ${removed} keys${namespace ? ` of namespace ${namespace}` : ''}`);
    });

  cache
    .command('warm')
    .description('pre-load answers from a JSONL file of request/response pairs, or from a stored run')
    .argument('[file]', 'JSONL file (format: docs/CACHE.md)')
    .option('--from-run <id>', 'load the cache entries a stored run recorded')
    .action(async (file: string | undefined, options: { fromRun?: string }, command: Command) => {
      const { config } = resolveConfigFromCli(command);
      if ((file === undefined) === (options.fromRun === undefined)) {
        const problem = file === undefined ? 'nothing to warm from' : 'not both';
        throw new RomaError('VALIDATION_FAILED', `give a JSONL file or --from-run <id>, ${problem}`, {
          field: 'file',
          fix: 'roma cache warm answers.jsonl   or   roma cache warm --from-run <execution id>',
        });
      }
      if (!config.cache.redisUrl) {
        console.error(
          'note: without REDIS_URL the cache is in-memory and the warmed entries end with this command',
        );
      }
      const report = await withCacheStore(config, async (store) => {
        const { cache: llmCache, options: warmOptions } = warmingCache(store, config);
        if (file !== undefined) {
          const text = readInputFile(file, { maxBytes: MAX_WARM_FILE_BYTES });
          return warmCacheFromJsonl(llmCache, text, warmOptions);
        }
        const runtime = await openRuntime(config, { services: 'store', logName: 'cli' });
        try {
          return await warmCacheFromRun(
            llmCache,
            { executionStore: runtime.store, artifactStore: runtime.artifacts },
            options.fromRun ?? '',
            warmOptions,
          );
        } finally {
          await runtime.close();
        }
      });
      printWarmReport(report);
    });
}
