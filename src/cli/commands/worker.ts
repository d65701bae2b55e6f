// `roma worker`: takes queued runs (queue.mode bullmq) from Redis and runs them; scale by starting more of them.
import type { Command } from 'commander';
import { loadConfigFromCli } from '../../config/index.js';
import {
  openRunQueue,
  requireRedisUrl,
  type StepWorker,
  serveWorkerMetrics,
  startRunWorker,
  startStepWorker,
  type WorkerMetricsServer,
} from '../../queue/index.js';
import { openRuntime } from '../../runtime/index.js';
import { parseIntegerOption } from './integer-option.js';

interface WorkerOptions {
  concurrency?: string;
  demo?: boolean;
  demoLatencyMs: string;
  drainMs: string;
  metricsPort?: string;
  metricsHost: string;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'take queued runs (and with queue.steps task steps) from Redis (ROMA_QUEUE=bullmq) and do them; SIGTERM drains, then hands back',
    )
    .option(
      '--concurrency <n>',
      'runs at once, and with queue.steps also task steps at once (queue.workerConcurrency, 2)',
    )
    .option('--demo', 'answer with the bundled scripted demo model (no key needed)')
    .option('--demo-latency-ms <ms>', 'with --demo: scripted reply latency', '150')
    .option(
      '--drain-ms <ms>',
      'on SIGTERM, how long runs in flight may take to end before they are handed back',
      '30000',
    )
    .option(
      '--metrics-port <n>',
      'serve Prometheus text on GET /metrics: queue depth by state, runs taken, stalled recoveries (0: any free port)',
    )
    .option('--metrics-host <host>', 'with --metrics-port: address to listen on', '127.0.0.1')
    .action(async (options: WorkerOptions, command: Command) => {
      const config = loadConfigFromCli(command);
      const redisUrl = requireRedisUrl(config.cache.redisUrl);
      const concurrency =
        options.concurrency === undefined
          ? config.queue.workerConcurrency
          : parseIntegerOption('--concurrency', options.concurrency, { min: 1, max: 256 });
      const drainMs = parseIntegerOption('--drain-ms', options.drainMs, { min: 0, max: 3_600_000 });
      const latencyMs = parseIntegerOption('--demo-latency-ms', options.demoLatencyMs, {
        min: 0,
        max: 10_000,
      });
      const metricsPort =
        options.metricsPort === undefined
          ? undefined
          : parseIntegerOption('--metrics-port', options.metricsPort, { min: 0, max: 65_535 });
      const runtime = await openRuntime(config, {
        logName: 'worker',
        queueRuns: false,
        ...(options.demo ? { demo: { latencyMs } } : {}),
      });
      const worker = startRunWorker(runtime, {
        redisUrl,
        prefix: config.queue.prefix,
        concurrency,
        lockDurationMs: config.queue.lockDurationMs,
      });
      // With queue.steps, this worker also does task steps, of its own runs and of every other worker's.
      const stepWorker: StepWorker | undefined = config.queue.steps
        ? startStepWorker(
            {
              store: runtime.store,
              models: runtime.models,
              config: runtime.config,
              codeAgent: runtime.codeAgent,
              logger: runtime.logger,
            },
            {
              redisUrl,
              prefix: config.queue.prefix,
              concurrency,
              lockDurationMs: config.queue.lockDurationMs,
              rateLimits: config.queue.rateLimits,
              // A reservation outlives any model call (llm.timeoutMs) before a dead worker's is dropped.
              budgetLeaseMs: config.llm.timeoutMs + 30_000,
            },
          )
        : undefined;
      let metrics: WorkerMetricsServer | undefined;
      const queue =
        metricsPort === undefined ? undefined : openRunQueue({ redisUrl, prefix: config.queue.prefix });
      if (queue && metricsPort !== undefined) {
        metrics = await serveWorkerMetrics(worker, queue, {
          host: options.metricsHost,
          port: metricsPort,
          ...(stepWorker ? { stepWorker } : {}),
          ...(runtime.stepQueue ? { stepQueue: runtime.stepQueue } : {}),
        });
        runtime.logger.info({ metricsUrl: metrics.url }, 'roma worker: metrics');
      }
      runtime.logger.info(
        { concurrency, prefix: config.queue.prefix, steps: config.queue.steps },
        'roma worker: waiting for runs',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await metrics?.close();
      await queue?.close();
      const drainedAt = Date.now();
      const outcome = await worker.close(drainMs);
      const stepOutcome = await stepWorker?.close(Math.max(0, drainMs - (Date.now() - drainedAt)));
      runtime.logger.info({ outcome, taken: worker.taken }, 'roma worker: stopped');
      if (outcome === 'handed-back' || stepOutcome === 'handed-back') {
        // Runs still in flight stay RUNNING in the log; their jobs stall and another worker resumes them.
        process.exit(0);
      }
      await runtime.close();
    });
}
