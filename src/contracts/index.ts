// Public contracts of roma-ptc: zod schemas and the types inferred from them. Imports nothing of ours.

export type {
  ApiErrorBody,
  PtcStats,
  ResumeExecutionRequest,
  StartExecutionRequest,
} from './api.js';
export {
  ApiErrorBodySchema,
  CancelExecutionRequestSchema,
  EventsQuerySchema,
  ExecutionAcceptedSchema,
  ListExecutionsQuerySchema,
  PtcStatsSchema,
  ResumeExecutionRequestSchema,
  SolveRequestSchema,
  StartExecutionRequestSchema,
} from './api.js';
export type { Artifact } from './artifact.js';
export { ArtifactSchema } from './artifact.js';
export type { CodeAgent, CodeAgentExecuteOptions, ModelCallRelease } from './code-agent.js';
export type { ErrorCode } from './errors.js';
export { ERROR_CODES, isRomaError, RomaError, toRomaError } from './errors.js';
export type {
  EngineModule,
  EngineStepModule,
  NewStreamEvent,
  StreamEvent,
  StreamEventOf,
  StreamEventType,
  SubtaskSpec,
  TaskStep,
} from './events.js';
export {
  ENGINE_STEP_MODULES,
  EngineModuleSchema,
  STREAM_EVENT_TYPES,
  StreamEventSchema,
  TASK_STEPS,
  TaskEndEventSchema,
  TaskStepEndEventSchema,
  TaskStepSchema,
} from './events.js';
export type { ExecutionStatus, ExecutionSummary, StopReason } from './execution.js';
export {
  EXECUTION_STATUSES,
  ExecutionSummarySchema,
} from './execution.js';
export { contractJsonSchemas, PUBLIC_CONTRACTS } from './json-schema.js';
export type { RunReport, SolveToolInput } from './mcp-tools.js';
export {
  RunCancelInputSchema,
  RunEventsInputSchema,
  RunEventsOutputSchema,
  RunIdInputSchema,
  RunReportSchema,
  RunsListInputSchema,
  RunsListOutputSchema,
  SolveToolInputSchema,
} from './mcp-tools.js';
export type { ModelResolver } from './model-resolver.js';
export type { ParseResult } from './parse.js';
export { formatPath, parseJsonWith, parseOrThrow, parseWith } from './parse.js';
export type {
  CacheStrategy,
  CodeLanguage,
  DependencyContext,
  PTCExecutionPlan,
  PTCExecutionPlanInput,
  SandboxProviderName,
} from './ptc-plan.js';
export {
  CacheStrategySchema,
  CodeLanguageSchema,
  DependencyContextSchema,
  PTCExecutionPlanSchema,
  SANDBOX_PROVIDERS,
  SandboxProviderSchema,
} from './ptc-plan.js';
export type {
  CodeExecution,
  PTCArtifactResult,
  RefusedArtifact,
  SandboxStopReason,
  TestResult,
  ToolCallRecord,
} from './ptc-result.js';
export {
  PTC_RESULT_STATUSES,
  PTCArtifactResultSchema,
} from './ptc-result.js';
export type { NodeType, TaskError, TaskNode, TaskStatus, TaskType } from './task.js';
export {
  assertTransition,
  canTransition,
  isTerminalStatus,
  TASK_STATUS_TRANSITIONS,
  TASK_STATUSES,
  TASK_TYPES,
  TaskNodeSchema,
  TaskTypeSchema,
} from './task.js';
export { truncationMarker } from './truncation.js';
export type { TokenUsage } from './usage.js';
export { addUsage, emptyUsage, TokenUsageSchema } from './usage.js';
