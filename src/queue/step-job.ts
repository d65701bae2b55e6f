// A task step as a BullMQ job: which queue it goes to (its provider's when rate-limited), and how it reports back.
import { z } from 'zod';
import type { EngineConfig } from '../config/index.js';
import type { ErrorCode } from '../contracts/index.js';
import { ERROR_CODES, RomaError, TokenUsageSchema, toRomaError } from '../contracts/index.js';
import type { StepRequest } from '../engine/index.js';
import { resolveModuleSettings, STEP_MODULES } from '../engine/index.js';

/** The step queue of providers without a rate limit. */
export const STEP_QUEUE_NAME = 'roma-steps';

export type StepRateLimits = Record<string, { max: number; durationMs: number }>;

/** Every step queue a worker takes from: the shared one, and one per rate-limited provider. */
export function stepQueueNames(rateLimits: StepRateLimits): string[] {
  return [STEP_QUEUE_NAME, ...Object.keys(rateLimits).map((provider) => `${STEP_QUEUE_NAME}-${provider}`)];
}

/** The provider of the model the step calls (`openai` of `openai:gpt-4o`); null when it cannot be told. */
export function stepProvider(request: StepRequest, defaultModelId: string | undefined): string | null {
  const engine = request.engine as unknown as Pick<EngineConfig, 'modules' | 'taskTypes' | 'temperature'>;
  const settings = resolveModuleSettings(
    {
      modules: engine.modules ?? {},
      taskTypes: engine.taskTypes ?? {},
      temperature: engine.temperature ?? 0,
    },
    STEP_MODULES[request.step],
    request.task.taskType,
    '',
  );
  const modelId = settings.modelId ?? request.runModelId ?? defaultModelId;
  const colon = modelId?.indexOf(':') ?? -1;
  return modelId && colon > 0 ? modelId.slice(0, colon) : null;
}

export function stepQueueName(provider: string | null, rateLimits: StepRateLimits): string {
  return provider !== null && Object.hasOwn(rateLimits, provider)
    ? `${STEP_QUEUE_NAME}-${provider}`
    : STEP_QUEUE_NAME;
}

/** Redis channel on which a run's coordinator asks workers to abort step jobs they are running. */
export function stepCancelChannel(prefix: string): string {
  return `${prefix}:roma-step-cancel`;
}

/**
 * Redis channel on which workers announce the step jobs of one run that have finished for good: only the
 * coordinators waiting on that run hear them (every process reading BullMQ's event stream would hear all).
 */
/** Stalled step jobs (their worker died) handed on since the queue began, counted by whichever worker's checker found them. */
export function stepStalledRecoveriesKey(prefix: string): string {
  return `${prefix}:roma-step-stalled-recoveries`;
}

export function stepResultChannel(prefix: string, executionId: string): string {
  return `${prefix}:roma-step-done:${executionId}`;
}

/** A step job that finished for good: its return value, or its failure text (see encodeStepFailure). */
export interface StepDoneMessage {
  jobId: string;
  result?: unknown;
  failure?: string;
}

const STEP_DONE_KEYS: ReadonlySet<string> = new Set(['jobId', 'result', 'failure']);

/**
 * A step-done message as published, or undefined when it is not one (a stranger on the channel). Checked by hand:
 * a coordinator reads one per step, and the result in it is checked again where it is used (see step-queue.ts).
 */
export function decodeStepDone(text: string): StepDoneMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const message = value as Record<string, unknown>;
  if (!Object.keys(message).every((key) => STEP_DONE_KEYS.has(key))) return undefined;
  if (typeof message.jobId !== 'string' || message.jobId === '') return undefined;
  if (message.failure !== undefined && typeof message.failure !== 'string') return undefined;
  return message as unknown as StepDoneMessage;
}

/** What a finished step job returns (its output is checked against the step's schema by the dispatcher). */
export const StepJobResultSchema = z.object({
  output: z.record(z.string(), z.unknown()),
  usage: TokenUsageSchema,
  worker: z.string(),
  fromLog: z.boolean(),
});
export type StepJobResult = z.output<typeof StepJobResultSchema>;

const StepFailureSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  retryable: z.boolean(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** A step's error as a job's failure text, so the coordinator gets the same typed error back. */
export function encodeStepFailure(error: unknown): string {
  const failure = toRomaError(error, 'TASK_FAILED');
  return JSON.stringify({
    code: failure.code,
    message: failure.message,
    retryable: failure.retryable,
    ...(failure.details ? { details: failure.details } : {}),
  });
}

export function decodeStepFailure(text: string, fallback: ErrorCode): RomaError {
  let parsed: ReturnType<typeof StepFailureSchema.safeParse> | undefined;
  try {
    parsed = StepFailureSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (parsed?.success) {
    const { code, message, retryable, details } = parsed.data;
    return new RomaError(code, message, { retryable, ...(details ? { details } : {}) });
  }
  // BullMQ's own failures (a job stalled too often, a lost lock) are plain text.
  return new RomaError(fallback, `step job failed: ${text}`.slice(0, 1_000));
}
