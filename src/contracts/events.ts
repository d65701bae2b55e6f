// StreamEvent: the one typed union of everything that happens in a run; the event log is the source of truth.
import { z } from 'zod';
import { ArtifactSchema } from './artifact.js';
import { ExecutionStatusSchema, StopReasonSchema } from './execution.js';
import { CodeLanguageSchema, SandboxProviderSchema } from './ptc-plan.js';
import { SandboxStopReasonSchema } from './ptc-result.js';
import { NodeTypeSchema, TaskErrorSchema, TaskStatusSchema, TaskTypeSchema } from './task.js';
import { TokenUsageSchema } from './usage.js';

const base = {
  executionId: z.string().min(1),
  /** Gap-free per-execution sequence number, starting at 1; a stream resumes from any of them. */
  seq: z.number().int().positive(),
  timestamp: z.iso.datetime({ offset: true }),
};

/** The engine's own steps, each a model call with its settings (`engine.modules.<name>`). */
export const ENGINE_STEP_MODULES = ['atomizer', 'planner', 'executor', 'aggregator', 'verifier'] as const;
export type EngineStepModule = (typeof ENGINE_STEP_MODULES)[number];
/** Everything that records an `llm-call`: the engine's steps and the PTC agent. */
const ENGINE_MODULES = [...ENGINE_STEP_MODULES, 'ptc'] as const;
export const EngineModuleSchema = z.enum(ENGINE_MODULES);
export type EngineModule = z.output<typeof EngineModuleSchema>;

export const SubtaskSpecSchema = z
  .object({
    id: z.string().min(1),
    goal: z.string().min(1),
    taskType: TaskTypeSchema,
    dependencies: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type SubtaskSpec = z.output<typeof SubtaskSpecSchema>;

const ExecutionStartEventSchema = z
  .object({
    ...base,
    type: z.literal('execution-start'),
    goal: z.string().min(1),
    rootTaskId: z.string().min(1),
    /** The effective run options (secrets redacted), so a resume runs with the same ones. */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const ExecutionResumeEventSchema = z
  .object({
    ...base,
    type: z.literal('execution-resume'),
    fromSeq: z.number().int().nonnegative(),
    /** The process that continues the run (replacing execution-start's), so cancel can tell it is alive. */
    pid: z.number().int().positive().optional(),
    hostname: z.string().optional(),
    /** That process's incarnation: a restarted container's server has the same pid and host, not this. */
    runnerId: z.string().min(1).max(100).optional(),
  })
  .strict();

/** Recorded by `roma runs cancel` (or the API); the process running the execution notices it and cancels. */
const ExecutionCancelRequestedEventSchema = z
  .object({ ...base, type: z.literal('execution-cancel-requested'), reason: z.string().default('') })
  .strict();

const TaskStartEventSchema = z
  .object({
    ...base,
    type: z.literal('task-start'),
    taskId: z.string().min(1),
    parentId: z.string().min(1).nullable(),
    goal: z.string().min(1),
    depth: z.number().int().nonnegative(),
    maxDepth: z.number().int().nonnegative(),
    taskType: TaskTypeSchema,
    dependencies: z.array(z.string()).default([]),
  })
  .strict();

const TaskStatusEventSchema = z
  .object({
    ...base,
    type: z.literal('task-status'),
    taskId: z.string().min(1),
    status: TaskStatusSchema,
    previousStatus: TaskStatusSchema,
  })
  .strict();

const TaskAtomizedEventSchema = z
  .object({
    ...base,
    type: z.literal('task-atomized'),
    taskId: z.string().min(1),
    nodeType: NodeTypeSchema,
    /** True when the depth limit, not the atomizer, decided. */
    forcedByDepth: z.boolean().default(false),
    reason: z.string().optional(),
  })
  .strict();

const TaskPlannedEventSchema = z
  .object({
    ...base,
    type: z.literal('task-planned'),
    taskId: z.string().min(1),
    subtasks: z.array(SubtaskSpecSchema).min(1),
    /** 0 for the first plan, n for the n-th replan. */
    replan: z.number().int().nonnegative().default(0),
  })
  .strict();

const TaskVerifiedEventSchema = z
  .object({
    ...base,
    type: z.literal('task-verified'),
    taskId: z.string().min(1),
    passed: z.boolean(),
    feedback: z.string().default(''),
  })
  .strict();

/** The engine's steps of one task, each one unit of work (a BullMQ job when steps are queued). */
export const TASK_STEPS = ['atomize', 'plan', 'execute', 'aggregate', 'verify'] as const;
export const TaskStepSchema = z.enum(TASK_STEPS);
export type TaskStep = z.output<typeof TaskStepSchema>;

/**
 * One step of a task done by a queue worker: its output, so a step delivered again (its worker died, the run
 * was resumed) is answered from the log rather than redone. Only queued steps record it.
 */
export const TaskStepEndEventSchema = z
  .object({
    ...base,
    type: z.literal('task-step-end'),
    taskId: z.string().min(1),
    step: TaskStepSchema,
    /** The step's round for its task: the replan number, or the execution round of a verified task. */
    attempt: z.number().int().nonnegative(),
    /** What the step returned (its shape depends on `step`; the engine checks it when reading it back). */
    output: z.record(z.string(), z.unknown()),
    usage: TokenUsageSchema,
    /** The worker that did it (`host:pid`). */
    worker: z.string().optional(),
  })
  .strict();

export const TaskEndEventSchema = z
  .object({
    ...base,
    type: z.literal('task-end'),
    taskId: z.string().min(1),
    status: z.enum(['COMPLETED', 'FAILED', 'CANCELLED']),
    result: z.string().nullable(),
    error: TaskErrorSchema.nullable().default(null),
    usage: TokenUsageSchema,
  })
  .strict();

const LlmCallEventSchema = z
  .object({
    ...base,
    type: z.literal('llm-call'),
    taskId: z.string().min(1).nullable(),
    module: EngineModuleSchema,
    model: z.string().min(1),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    cachedInputTokens: z.number().int().nonnegative().default(0),
    costUsd: z.number().nonnegative(),
    cacheHit: z.boolean(),
    /** On a cache hit: the tokens and cost the original call used, which this one did not spend. */
    savedInputTokens: z.number().int().nonnegative().optional(),
    savedOutputTokens: z.number().int().nonnegative().optional(),
    savedCostUsd: z.number().nonnegative().optional(),
    durationMs: z.number().nonnegative(),
    ok: z.boolean().default(true),
    error: z.string().optional(),
  })
  .strict();

const CodeExecutionStartEventSchema = z
  .object({
    ...base,
    type: z.literal('code-execution-start'),
    taskId: z.string().min(1).nullable(),
    planId: z.string().min(1),
    iteration: z.number().int().positive(),
    language: CodeLanguageSchema,
    provider: SandboxProviderSchema,
    code: z.string(),
  })
  .strict();

const CodeExecutionEndEventSchema = z
  .object({
    ...base,
    type: z.literal('code-execution-end'),
    taskId: z.string().min(1).nullable(),
    planId: z.string().min(1),
    iteration: z.number().int().positive(),
    exitCode: z.number().int(),
    durationMs: z.number().nonnegative(),
    /** Bounded excerpt of what the program printed. */
    stdout: z.string(),
    stderr: z.string(),
    truncated: z.boolean(),
    stoppedBy: SandboxStopReasonSchema.nullable().default(null),
  })
  .strict();

const ToolCallEventSchema = z
  .object({
    ...base,
    type: z.literal('tool-call'),
    taskId: z.string().min(1).nullable(),
    planId: z.string().min(1).nullable(),
    server: z.string().min(1),
    tool: z.string().min(1),
    durationMs: z.number().nonnegative(),
    ok: z.boolean(),
    resultBytes: z.number().int().nonnegative(),
    error: z.string().optional(),
  })
  .strict();

/** A server's progress or log notification during a tool call, or a server request the host declined. */
const ToolNoticeEventSchema = z
  .object({
    ...base,
    type: z.literal('tool-notice'),
    taskId: z.string().min(1).nullable(),
    planId: z.string().min(1).nullable(),
    server: z.string().min(1),
    tool: z.string().min(1),
    kind: z.enum(['progress', 'log', 'declined']),
    /** Log level (`info`, `warning`, …) of a log notice. */
    level: z.string().optional(),
    progress: z.number().optional(),
    total: z.number().optional(),
    message: z.string().max(1_000).default(''),
  })
  .strict();

const ArtifactCreatedEventSchema = z
  .object({
    ...base,
    type: z.literal('artifact-created'),
    taskId: z.string().min(1).nullable(),
    artifact: ArtifactSchema,
  })
  .strict();

const ExecutionEndEventSchema = z
  .object({
    ...base,
    type: z.literal('execution-end'),
    status: ExecutionStatusSchema.exclude(['RUNNING']),
    /** Which budget or limit stopped the run; null when it ran to completion or failed. */
    reason: StopReasonSchema.nullable().default(null),
    result: z.string().nullable(),
    error: TaskErrorSchema.nullable().default(null),
    usage: TokenUsageSchema,
    nodeCount: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
  })
  .strict();

const ErrorEventSchema = z
  .object({
    ...base,
    type: z.literal('error'),
    taskId: z.string().min(1).nullable().default(null),
    code: z.string().min(1),
    message: z.string(),
    retryable: z.boolean().default(false),
  })
  .strict();

/**
 * A CODE task answered from the PTC result cache: no model call was made; the saved figures are what the run
 * that produced the result spent (its `usage`), added to the run's saved tokens like an LLM-cache hit's.
 */
export const PtcCacheHitEventSchema = z
  .object({
    ...base,
    type: z.literal('ptc-cache-hit'),
    taskId: z.string().min(1).nullable(),
    planId: z.string().min(1),
    cacheKey: z.string().min(1),
    savedInputTokens: z.number().int().nonnegative(),
    savedOutputTokens: z.number().int().nonnegative(),
    savedCostUsd: z.number().nonnegative(),
  })
  .strict();

/** Something degraded but the run goes on (cache unreachable, output truncated…). */
const WarningEventSchema = z
  .object({
    ...base,
    type: z.literal('warning'),
    taskId: z.string().min(1).nullable().default(null),
    code: z.string().min(1),
    message: z.string(),
  })
  .strict();

export const StreamEventSchema = z.discriminatedUnion('type', [
  ExecutionStartEventSchema,
  ToolNoticeEventSchema,
  ExecutionResumeEventSchema,
  ExecutionCancelRequestedEventSchema,
  TaskStartEventSchema,
  TaskStatusEventSchema,
  TaskAtomizedEventSchema,
  TaskPlannedEventSchema,
  TaskVerifiedEventSchema,
  TaskEndEventSchema,
  TaskStepEndEventSchema,
  LlmCallEventSchema,
  PtcCacheHitEventSchema,
  CodeExecutionStartEventSchema,
  CodeExecutionEndEventSchema,
  ToolCallEventSchema,
  ArtifactCreatedEventSchema,
  ExecutionEndEventSchema,
  ErrorEventSchema,
  WarningEventSchema,
]);
export type StreamEvent = z.output<typeof StreamEventSchema>;
export type StreamEventType = StreamEvent['type'];
export type StreamEventOf<T extends StreamEventType> = Extract<StreamEvent, { type: T }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event before the store numbers it: the store assigns `seq` on append. */
export type NewStreamEvent = DistributiveOmit<StreamEvent, 'seq'>;

export const STREAM_EVENT_TYPES = StreamEventSchema.options.map((option) => option.shape.type.value);
