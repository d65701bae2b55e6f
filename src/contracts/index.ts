// Public contracts of roma-ptc: zod schemas and the types inferred from them. Imports nothing of ours.

export type {
  ApiErrorBody,
  CancelExecutionRequest,
  ExecutionAccepted,
  PtcStats,
  ResumeExecutionRequest,
  SolveRequest,
  StartExecutionRequest,
} from './api.js';
export {
  ApiErrorBodySchema,
  CancelExecutionRequestSchema,
  EventsQuerySchema,
  ExecutionAcceptedSchema,
  ExecutionLinksSchema,
  ListExecutionsQuerySchema,
  PtcStatsSchema,
  ResumeExecutionRequestSchema,
  SolveRequestSchema,
  StartExecutionRequestSchema,
} from './api.js';
export type { Artifact } from './artifact.js';
export { ArtifactSchema } from './artifact.js';
export type { CodeAgent, CodeAgentExecuteOptions } from './code-agent.js';
export type { ErrorCode, RomaErrorOptions, SerializedError } from './errors.js';
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
  ArtifactCreatedEventSchema,
  CodeExecutionEndEventSchema,
  CodeExecutionStartEventSchema,
  ENGINE_MODULES,
  ENGINE_STEP_MODULES,
  EngineModuleSchema,
  ErrorEventSchema,
  ExecutionCancelRequestedEventSchema,
  ExecutionEndEventSchema,
  ExecutionResumeEventSchema,
  ExecutionStartEventSchema,
  LlmCallEventSchema,
  STREAM_EVENT_TYPES,
  StreamEventSchema,
  SubtaskSpecSchema,
  TASK_STEPS,
  TaskAtomizedEventSchema,
  TaskEndEventSchema,
  TaskPlannedEventSchema,
  TaskStartEventSchema,
  TaskStatusEventSchema,
  TaskStepEndEventSchema,
  TaskStepSchema,
  TaskVerifiedEventSchema,
  ToolCallEventSchema,
  WarningEventSchema,
} from './events.js';
export type { ExecutionStatus, ExecutionSummary, StopReason } from './execution.js';
export {
  EXECUTION_STATUSES,
  ExecutionStatusSchema,
  ExecutionSummarySchema,
  STOP_REASONS,
  StopReasonSchema,
} from './execution.js';
export { contractJsonSchemas, PUBLIC_CONTRACTS } from './json-schema.js';
export type { RunReport, RunTotalsSummary, SolveToolInput } from './mcp-tools.js';
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
export type { ContractIssue, ParseResult } from './parse.js';
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
  CACHE_STRATEGIES,
  CacheStrategySchema,
  CODE_LANGUAGES,
  CodeLanguageSchema,
  DependencyContextSchema,
  PlanToolServerSchema,
  PTCExecutionPlanSchema,
  SANDBOX_PROVIDERS,
  SandboxProviderSchema,
} from './ptc-plan.js';
export type {
  CodeExecution,
  PTCArtifactResult,
  PTCResultStatus,
  RefusedArtifact,
  SandboxStopReason,
  TestResult,
  ToolCallRecord,
} from './ptc-result.js';
export {
  CodeExecutionSchema,
  PTC_RESULT_STATUSES,
  PTCArtifactResultSchema,
  PTCResultStatusSchema,
  RefusedArtifactSchema,
  SANDBOX_STOP_REASONS,
  SandboxStopReasonSchema,
  TestResultSchema,
  ToolCallRecordSchema,
} from './ptc-result.js';
export type { NodeType, TaskError, TaskNode, TaskStatus, TaskType } from './task.js';
export {
  assertTransition,
  canTransition,
  isTerminalStatus,
  NODE_TYPES,
  NodeTypeSchema,
  TASK_STATUS_TRANSITIONS,
  TASK_STATUSES,
  TASK_TYPES,
  TaskErrorSchema,
  TaskNodeSchema,
  TaskStatusSchema,
  TaskTypeSchema,
} from './task.js';
export { truncationMarker } from './truncation.js';
export type { TokenUsage } from './usage.js';
export { addUsage, emptyUsage, TokenUsageSchema } from './usage.js';
