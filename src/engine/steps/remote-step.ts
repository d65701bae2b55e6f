// A step taken by a worker process: answered from the log when it was done before, else done and recorded.

import { type EngineConfig, EngineConfigSchema } from '../../config/sections/engine.js';
import type { CodeAgent, ModelResolver, TaskStep, TokenUsage } from '../../contracts/index.js';
import { parseWith, RomaError } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/execution-store.js';
import type { EngineRunConfig } from '../engine-config.js';
import type { Semaphore } from '../scheduler/semaphore.js';
import { performStep } from './perform-step.js';
import { StepEventSink } from './step-event-sink.js';
import type { StepRequest, StepResult } from './step-request.js';
import { StepOutputSchemas } from './step-request.js';

export interface RemoteStepDependencies {
  store: ExecutionStore;
  models: ModelResolver;
  /** The worker's config; the run's `engine` section comes with each step. */
  config: EngineRunConfig;
  codeAgent: CodeAgent | undefined;
  /** Bounds this worker's model calls in flight, over all the steps it runs. */
  semaphore: Semaphore;
  /** Names this worker in `task-step-end` (`host:pid`). */
  worker: string;
}

export interface RemoteStepOptions {
  /** Look for the step's result in the log first (a redelivered job, a resumed run). */
  checkLog: boolean;
  /** Reserves budget before each model call; the returned function books the call's usage (see ModelCallScope). */
  reserveCall?: () => Promise<(usage: TokenUsage) => Promise<void>>;
}

/** The step's recorded result, when a `task-step-end` of this task, step and attempt is in the log. */
export async function recordedStepResult(
  store: ExecutionStore,
  request: Pick<StepRequest, 'executionId' | 'taskId' | 'step' | 'attempt'>,
): Promise<StepResult | null> {
  const events = await store.readEvents(request.executionId);
  for (let index = events.length - 1; index >= 0; index -= 1) {
    const event = events[index];
    if (
      event?.type === 'task-step-end' &&
      event.taskId === request.taskId &&
      event.step === request.step &&
      event.attempt === request.attempt
    ) {
      const schema = StepOutputSchemas[request.step as TaskStep];
      const parsed = schema.safeParse(event.output);
      if (parsed.success) return { output: parsed.data, usage: event.usage };
    }
  }
  return null;
}

/**
 * A run's `engine` settings, checked once per worker rather than once per step: every step of a run carries the
 * same settings, and checking them took about a tenth of a millisecond of a step's CPU. Keyed by their JSON, so
 * settings that differ in any way are checked on their own; the oldest of a bounded number is forgotten first.
 */
const CHECKED_ENGINE_SETTINGS_MAX = 64;
const checkedEngineSettings = new Map<string, EngineConfig>();

function checkedEngine(request: StepRequest): EngineConfig {
  const key = JSON.stringify(request.engine);
  const known = checkedEngineSettings.get(key);
  if (known) return known;
  const engine = parseWith(EngineConfigSchema, request.engine, 'engine');
  if (!engine.ok) {
    throw new RomaError(
      'VALIDATION_FAILED',
      `step ${request.step} of ${request.taskId}: bad engine settings`,
      {
        field: 'engine',
        details: { issues: engine.issues },
      },
    );
  }
  if (checkedEngineSettings.size >= CHECKED_ENGINE_SETTINGS_MAX) {
    const oldest = checkedEngineSettings.keys().next().value;
    if (oldest !== undefined) checkedEngineSettings.delete(oldest);
  }
  checkedEngineSettings.set(key, engine.value);
  return engine.value;
}

export async function runRemoteStep(
  deps: RemoteStepDependencies,
  request: StepRequest,
  signal: AbortSignal,
  options: RemoteStepOptions,
): Promise<StepResult & { fromLog: boolean }> {
  if (options.checkLog) {
    const recorded = await recordedStepResult(deps.store, request);
    if (recorded) return { ...recorded, fromLog: true };
  }
  const config: EngineRunConfig = { ...deps.config, engine: checkedEngine(request) };
  // Live watchers of this run are in the API and the run's coordinator, which follow the store.
  const sink = new StepEventSink(deps.store, request.executionId);
  const result = await performStep(
    {
      config,
      codeAgent: deps.codeAgent,
      sink,
      modelScope: {
        models: deps.models,
        runModelId: request.runModelId,
        semaphore: deps.semaphore,
        sink,
        beforeCall: () => {
          if (signal.aborted) throw signal.reason;
        },
        ...(options.reserveCall ? { reserveCall: options.reserveCall } : {}),
      },
    },
    request,
    signal,
  ).catch(async (error: unknown) => {
    // The model calls the failed step made are stored all the same; the step's own failure is what it reports.
    await sink.durable().catch(() => undefined);
    throw error;
  });
  // One transaction with the step's recorded llm-calls: the step counts as done only once both are durable.
  await sink.end({
    type: 'task-step-end',
    taskId: request.taskId,
    step: request.step,
    attempt: request.attempt,
    output: result.output as Record<string, unknown>,
    usage: result.usage,
    worker: deps.worker,
  });
  return { ...result, fromLog: false };
}
