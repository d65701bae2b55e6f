// PTCArtifactResult: what the PTC code agent answers for one plan.
import { z } from 'zod';
import { ArtifactSchema } from './artifact.js';
import { CodeLanguageSchema } from './ptc-plan.js';
import { TokenUsageSchema } from './usage.js';

export const PTC_RESULT_STATUSES = [
  'SUCCESS',
  'PARTIAL_SUCCESS',
  'FAILURE',
  'TIMEOUT',
  'CANCELLED',
  'CACHE_HIT',
] as const;
const PTCResultStatusSchema = z.enum(PTC_RESULT_STATUSES);

/** Which limit ended a sandbox run early, if any. */
const SANDBOX_STOP_REASONS = [
  'timeout',
  'interrupt',
  'memory',
  'output',
  'cancelled',
  'crash',
  // The process sandbox's workspace passed its quota of bytes or files.
  'disk',
] as const;
export const SandboxStopReasonSchema = z.enum(SANDBOX_STOP_REASONS);
export type SandboxStopReason = z.output<typeof SandboxStopReasonSchema>;

export const CodeExecutionSchema = z
  .object({
    iteration: z.number().int().positive(),
    language: CodeLanguageSchema,
    code: z.string(),
    stdout: z.string(),
    stderr: z.string(),
    exitCode: z.number().int(),
    durationMs: z.number().nonnegative(),
    truncated: z.boolean(),
    stoppedBy: SandboxStopReasonSchema.nullable().default(null),
  })
  .strict();
export type CodeExecution = z.output<typeof CodeExecutionSchema>;

export const TestResultSchema = z
  .object({ name: z.string(), passed: z.boolean(), message: z.string().optional() })
  .strict();
export type TestResult = z.output<typeof TestResultSchema>;

export const ToolCallRecordSchema = z
  .object({
    server: z.string(),
    tool: z.string(),
    durationMs: z.number().nonnegative(),
    ok: z.boolean(),
    resultBytes: z.number().int().nonnegative(),
    error: z.string().optional(),
  })
  .strict();
export type ToolCallRecord = z.output<typeof ToolCallRecordSchema>;

/** A file under results/ that did not become an artifact, and why (name too long, over a bound, store error). */
export const RefusedArtifactSchema = z
  .object({
    /** The file's path relative to results/ (cut when long). */
    path: z.string(),
    reason: z.string(),
  })
  .strict();
export type RefusedArtifact = z.output<typeof RefusedArtifactSchema>;

export const PTCArtifactResultSchema = z
  .object({
    planId: z.string().min(1),
    taskId: z.string().min(1),
    status: PTCResultStatusSchema,
    summary: z.string(),
    artifacts: z.array(ArtifactSchema).default([]),
    artifactsRefused: z.array(RefusedArtifactSchema).optional(),
    executions: z.array(CodeExecutionSchema).default([]),
    testResults: z.array(TestResultSchema).default([]),
    toolCalls: z.array(ToolCallRecordSchema).default([]),
    iterationsUsed: z.number().int().nonnegative(),
    usage: TokenUsageSchema,
    fromCache: z.boolean().default(false),
    /** On a result-cache hit: what the run that produced the result spent, which this answer did not. */
    savedUsage: TokenUsageSchema.optional(),
    cacheKey: z.string().nullable().default(null),
    error: z.object({ code: z.string(), message: z.string() }).strict().nullable().default(null),
    startedAt: z.iso.datetime({ offset: true }),
    completedAt: z.iso.datetime({ offset: true }),
  })
  .strict();
export type PTCArtifactResult = z.output<typeof PTCArtifactResultSchema>;
