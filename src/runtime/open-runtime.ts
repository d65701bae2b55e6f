// openRuntime(config): the one place that wires implementations from config; every front end calls it.
import type { LlmCache } from '../cache/index.js';
import { runWithCacheContext } from '../cache/index.js';
import { type RomaConfig, SecretList, secretValuesOf } from '../config/index.js';
import type { DemoModel, DemoModelOptions } from '../dev/index.js';
import { DEMO_MODEL_ID, startDemoModel } from '../dev/index.js';
import type { CodeAgent, EngineDependencies, RunControl, RunEventObserver } from '../engine/index.js';
import { createRunControl } from '../engine/index.js';
import type { ModelRegistry } from '../llm/index.js';
import { createModelRegistry } from '../llm/index.js';
import type { Logger } from '../logging/index.js';
import { cacheLoggerOf, createLoggerFromConfig } from '../logging/index.js';
import type { PtcAgentDeps } from '../ptc/index.js';
import { createHttpCodeAgent } from '../ptc/index.js';
import {
  createQueuedRunControl,
  openRunQueue,
  openStepQueue,
  type RunQueueCounts,
  requireRedisUrl,
  type StepQueue,
} from '../queue/index.js';
import type { ArtifactStore, ExecutionStore } from '../store/index.js';
import { openArtifactStore, openExecutionStore } from '../store/index.js';
import type { Tracking } from '../tracking/index.js';
import { openTracking } from '../tracking/index.js';
import type { PtcRuntime } from './ptc-agent.js';
import { openPtcRuntime } from './ptc-agent.js';
import type { RunCache } from './run-cache.js';
import { openRunCache } from './run-cache.js';

interface RuntimeOptions {
  /**
   * Answer model calls with the bundled demo model: a scripted server on 127.0.0.1 (real OpenAI wire format)
   * started now and stopped by `close()`; `config.llm` is pointed at it. For `roma demo`, `roma serve --demo`,
   * `roma mcp serve --demo`.
   */
  demo?: boolean | DemoModelOptions;
  /**
   * The run this runtime is opened to resume: when its log says it ran on the demo model, the demo model is
   * started again (it lived in the process that was stopped), so `roma runs resume <id>` of a demo completes.
   */
  resumes?: string;
  /** Subscribers to every stored event of every run this runtime starts, resumes or ends (tracking). */
  observers?: readonly RunEventObserver[];
  /** The process's logger; default: pino at `server.logLevel` to stderr, secrets of the config scrubbed. */
  logger?: Logger;
  /** `name` on the default logger's lines (e.g. `cli`, `server`, `worker`, `mcp`). */
  logName?: string;
  /**
   * `store`: only the stores (run control's cancel, follow, liveness, list work; start and resume need the
   * full runtime). Default `full`: also the LLM cache, models and the code agent.
   */
  services?: 'full' | 'store';
  /** False: no LLM-response cache whatever the config says. */
  cache?: boolean;
  /** Replaces the configured code agent (null: none, CODE tasks then fail with NO_CODE_EXECUTOR). */
  codeAgent?: CodeAgent | null;
  /** Settings of the in-process PTC agent (`roma ptc serve` streams its events). */
  ptc?: Pick<PtcAgentDeps, 'mode' | 'onEvent' | 'emitArtifactEvents'> & {
    /** Run the agent here even when `ptc.serviceUrl` is set (this process IS the PTC service). */
    inProcess?: boolean;
  };
  /**
   * With `queue.mode: bullmq`, false runs this process's runs itself instead of queueing them (`roma worker`
   * is the process that takes them). Default true.
   */
  queueRuns?: boolean;
  /** How often a run polls the store for a cancel request from another process (default 500; 0 never). */
  cancelPollIntervalMs?: number;
  /** The config profile in effect (recorded by MLflow tracking); default `ROMA_PROFILE`. */
  profile?: string | null;
}

export interface Runtime {
  /** The config in effect (with the demo model's `llm` when `demo` is set). */
  readonly config: RomaConfig;
  readonly logger: Logger;
  readonly store: ExecutionStore;
  readonly artifacts: ArtifactStore;
  /** The process's one LLM-response cache; null when disabled or `services: 'store'`. */
  readonly cache: LlmCache | null;
  /** Model ids to AI SDK models, behind the cache. */
  readonly models: ModelRegistry;
  /** What runs CODE tasks: the in-process PTC agent, or its HTTP client when `ptc.serviceUrl` is set. */
  readonly codeAgent: CodeAgent | undefined;
  /** The in-process PTC agent and its MCP manager; null when the agent is remote, replaced or not opened. */
  readonly ptc: PtcRuntime | null;
  /** The demo model when `demo` is set (its `server.requests` counts upstream calls). */
  readonly demoModel: DemoModel | null;
  /** What the engine gets for every run. */
  readonly engine: EngineDependencies;
  /** Start, resume, cancel, follow and liveness of runs. */
  readonly runs: RunControl;
  /** MLflow and OpenTelemetry observers of every run (from config); `stats()` for `/metrics`. */
  readonly tracking: Tracking;
  /** Jobs on the BullMQ run queue by state (for `/metrics`); null when runs are not queued. */
  readonly queueCounts: (() => Promise<RunQueueCounts>) | null;
  /** Where the runs of this process send their task steps (`queue.steps`); null when they run here. */
  readonly stepQueue: StepQueue | null;
  /** Cancels this process's runs (bounded wait), then closes the code agent, cache, stores and demo model. */
  close(): Promise<void>;
}

/** Whether the run's start recorded the demo model as its model. */
async function ranOnDemoModel(store: ExecutionStore, executionId: string): Promise<boolean> {
  const [start] = await store.readEvents(executionId, { limit: 1 });
  return start?.type === 'execution-start' && start.options.modelId === DEMO_MODEL_ID;
}

export async function openRuntime(config: RomaConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    closers.length = 0;
  };
  try {
    const store = await openExecutionStore(config.store);
    closers.push(() => store.close());
    let demoModel: DemoModel | null = null;
    const demo = options.demo ?? (options.resumes && (await ranOnDemoModel(store, options.resumes)));
    if (demo) {
      const started = await startDemoModel(demo === true ? {} : demo);
      demoModel = started;
      closers.push(() => started.close());
      config = started.configure(config);
    }
    // One secret list for the process: the config's secrets, and every value an MCP server's config substitutes
    // or its OAuth client obtains (the logger scrubs what the list learns later, too).
    const secrets = new SecretList(secretValuesOf(config));
    const logger =
      options.logger ??
      createLoggerFromConfig(config, { name: options.logName ?? 'roma', redact: secrets.redact });
    const artifacts = openArtifactStore(config.store);
    const full = options.services !== 'store';

    let runCache: RunCache | null = null;
    if (full && options.cache !== false) {
      runCache = await openRunCache(config, artifacts, cacheLoggerOf(logger));
      const opened = runCache;
      if (opened) closers.push(() => opened.close());
    }
    const cache = runCache?.cache ?? null;
    const models = createModelRegistry(config.llm, {
      middleware: cache ? [cache.middleware] : [],
      secrets,
    });

    let ptc: PtcRuntime | null = null;
    let codeAgent: CodeAgent | undefined;
    if (options.codeAgent !== undefined) codeAgent = options.codeAgent ?? undefined;
    else if (full && config.ptc.serviceUrl && !options.ptc?.inProcess)
      codeAgent = createHttpCodeAgent(config.ptc.serviceUrl, { apiKey: config.ptc.serviceApiKey });
    else if (full) {
      const { inProcess: _inProcess, ...ptcOptions } = options.ptc ?? {};
      const opened = await openPtcRuntime(config, {
        llmCache: cache,
        models,
        artifacts,
        secrets,
        ...ptcOptions,
      });
      ptc = opened;
      codeAgent = opened.agent;
      closers.push(() => opened.close());
    }

    // Tracking observes every stored event; closed after the runs stop (the last closer runs first).
    const tracking = await openTracking(config, {
      profile: options.profile ?? process.env.ROMA_PROFILE ?? null,
      onWarning: (message) => logger.warn(message),
    });
    closers.push(() => tracking.close());

    let stepQueue: StepQueue | null = null;
    if (full && config.queue.mode === 'bullmq' && config.queue.steps) {
      // The runs this process coordinates hand each task step to the step queue; `roma worker`s do them.
      const opened = openStepQueue({
        redisUrl: requireRedisUrl(config.cache.redisUrl),
        prefix: config.queue.prefix,
        attempts: config.queue.stepAttempts,
        backoffMs: config.queue.stepBackoffMs,
        timeoutMs: config.queue.stepTimeoutMs,
        rateLimits: config.queue.rateLimits,
        defaultModelId: models.defaultModelId,
      });
      stepQueue = opened;
      closers.push(() => opened.close());
    }

    const openCache = runCache;
    const engine: EngineDependencies = {
      store,
      models,
      config,
      codeAgent,
      cancelPollIntervalMs: options.cancelPollIntervalMs ?? 500,
      ...(stepQueue ? { steps: stepQueue } : {}),
      ...(openCache ? { runArtifacts: (executionId: string) => openCache.saveRunEntries(executionId) } : {}),
    };
    const inProcessRuns = createRunControl({
      deps: engine,
      observers: [...(options.observers ?? []), ...tracking.observers],
      onObserverError: (error, event) =>
        logger.warn(
          { err: error, executionId: event.executionId, seq: event.seq },
          'an event observer failed; the run goes on',
        ),
      // Every model call of the run, the code agent's too, is tagged with its execution id, so the cache
      // entries it used are saved with the run. Only the cache reads that tag: without one, no scope, since an
      // AsyncLocalStorage on Node 20 turns on promise hooks for the whole process (about 0.5 ms of a queue
      // worker's CPU per task).
      ...(cache ? { scope: (executionId, start) => runWithCacheContext({ executionId }, start) } : {}),
    });
    let runs = inProcessRuns;
    let queueCounts: (() => Promise<RunQueueCounts>) | null = null;
    if (config.queue.mode === 'bullmq' && options.queueRuns !== false) {
      // Runs become BullMQ jobs that `roma worker`s take; reading, following and cancelling work on the store.
      const queue = openRunQueue({
        redisUrl: requireRedisUrl(config.cache.redisUrl),
        prefix: config.queue.prefix,
      });
      closers.push(() => queue.close());
      queueCounts = () => queue.counts();
      runs = createQueuedRunControl({
        inner: inProcessRuns,
        queue,
        startTimeoutMs: config.queue.startTimeoutMs,
      });
    }
    let closed: Promise<void> | null = null;
    return {
      config,
      logger,
      store,
      artifacts,
      cache,
      models,
      codeAgent,
      ptc,
      demoModel,
      engine,
      runs,
      tracking,
      queueCounts,
      stepQueue,
      close: () => {
        closed ??= (async () => {
          await inProcessRuns.stopAll({ reason: 'the process is shutting down' });
          await closeAll();
        })();
        return closed;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
