// One model call of one module for one task: bounded by the run's concurrency, cancellable, recorded as llm-call.
import type { z } from 'zod';
import type { ModelResolver, TaskType, TokenUsage } from '../../contracts/index.js';
import { emptyUsage, RomaError, toRomaError } from '../../contracts/index.js';
import { callObject, callText, modelCallFigures } from '../../llm/index.js';
import type { EventSink } from '../events/event-sink.js';
import type { Semaphore } from '../scheduler/semaphore.js';
import type { EngineModuleName, ModuleSettings } from './module-settings.js';

/** What every model call of a run shares. */
export interface ModelCallScope {
  models: ModelResolver;
  /** The run's model (`--model`), used by modules without their own. */
  runModelId: string | undefined;
  semaphore: Semaphore;
  sink: EventSink;
  /** Throws when the run must not start another model call (stopped, cancelled, out of budget). */
  beforeCall(): void | Promise<void>;
  /**
   * Reserves budget for one call before it is made (shared by workers; throws BUDGET_EXCEEDED when spent);
   * the returned function books what the call really used, whatever its outcome.
   */
  reserveCall?(): Promise<(usage: TokenUsage) => Promise<void>>;
}

export interface ModuleCall {
  module: EngineModuleName;
  taskId: string;
  taskType: TaskType;
  settings: ModuleSettings;
  prompt: string;
  signal: AbortSignal;
  /** The task's own usage counter. */
  onUsage(usage: TokenUsage): void;
}

interface ModuleCallResult<T> {
  value: T;
  text: string;
  modelId: string;
}

function usageFromError(error: unknown): TokenUsage | undefined {
  const details = error instanceof RomaError ? error.details : undefined;
  const usage = details?.usage as TokenUsage | undefined;
  return usage && typeof usage.inputTokens === 'number' ? usage : undefined;
}

async function invoke<T>(
  scope: ModelCallScope,
  call: ModuleCall,
  schema: z.ZodType<T> | undefined,
): Promise<ModuleCallResult<T>> {
  // What this run recorded so far is durable, and the run may still call (not stopped, cancelled or out of
  // budget), before the request leaves: a resume never pays for a call twice. The SDK prepares the request
  // meanwhile, so its work overlaps the commit's fsync instead of following it.
  const cleared = scope.sink.durable().then(() => scope.beforeCall());
  cleared.catch(() => undefined);
  if (!scope.reserveCall) return invokeReserved(scope, call, schema, cleared, () => undefined);
  // A budget shared by workers is reserved only once the run may call.
  await cleared;
  const settle = await scope.reserveCall();
  let used: TokenUsage = emptyUsage();
  try {
    return await invokeReserved(scope, call, schema, cleared, (usage) => {
      used = usage;
    });
  } finally {
    await settle(used);
  }
}

async function invokeReserved<T>(
  scope: ModelCallScope,
  call: ModuleCall,
  schema: z.ZodType<T> | undefined,
  cleared: Promise<void>,
  onCallUsage: (usage: TokenUsage) => void,
): Promise<ModuleCallResult<T>> {
  const modelId = call.settings.modelId ?? scope.runModelId ?? scope.models.defaultModelId;
  const model = scope.models.resolve(modelId);
  const resolvedModelId = modelId ?? 'unknown';
  const release = await scope.semaphore.acquire(call.signal);
  const startedAt = performance.now();
  try {
    const request = {
      model,
      modelId: resolvedModelId,
      system: call.settings.system,
      prompt: call.prompt,
      temperature: call.settings.temperature,
      signal: call.signal,
      sendAfter: cleared,
      // Timeout and retries come with the model from the registry (`llm.timeoutMs`, `llm.maxRetries`).
      // Read by the cache middleware to apply its per-module and per-task-type policy.
      providerOptions: {
        roma: {
          executionId: scope.sink.executionId,
          taskId: call.taskId,
          module: call.module,
          taskType: call.taskType,
          ...(call.settings.cacheStrategy ? { cacheStrategy: call.settings.cacheStrategy } : {}),
        },
      },
    };
    const result = schema ? await callObject({ ...request, schema }) : await callText(request);
    onCallUsage(result.usage);
    call.onUsage(result.usage);
    // Durable before the task's next external effect, together with the events that follow it.
    scope.sink.record({
      type: 'llm-call',
      taskId: call.taskId,
      module: call.module,
      ...modelCallFigures(result),
      ok: true,
    });
    return { value: result.value as T, text: result.text, modelId: result.modelId };
  } catch (error) {
    // The request never left: the run's log or its checks said no, which is the error (no llm-call to record).
    const refused = await cleared.then(
      () => undefined,
      (reason: unknown) => ({ reason }),
    );
    if (refused) throw refused.reason;
    const failure = toRomaError(error, 'MODEL_CALL_FAILED');
    const usage = usageFromError(error);
    if (usage) {
      onCallUsage(usage);
      call.onUsage(usage);
    }
    // A call cut short by cancellation is not a model failure; it is recorded all the same, marked not ok.
    await scope.sink.emit({
      type: 'llm-call',
      taskId: call.taskId,
      module: call.module,
      model: resolvedModelId,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      cachedInputTokens: usage?.cachedInputTokens ?? 0,
      costUsd: usage?.costUsd ?? 0,
      cacheHit: false,
      durationMs: performance.now() - startedAt,
      ok: false,
      error: `${failure.code}: ${failure.message}`.slice(0, 500),
    });
    throw failure;
  } finally {
    release();
  }
}

export function callModuleObject<T>(
  scope: ModelCallScope,
  call: ModuleCall,
  schema: z.ZodType<T>,
): Promise<ModuleCallResult<T>> {
  return invoke(scope, call, schema);
}

export function callModuleText(scope: ModelCallScope, call: ModuleCall): Promise<ModuleCallResult<string>> {
  return invoke<string>(scope, call, undefined);
}
