// ROMA engine: recursive solver (atomize → plan → execute → aggregate → verify), DAG scheduler, event log, resume.

export type { CodeAgent, CodeAgentExecuteOptions, ModelResolver } from '../contracts/index.js';
export type { CancelRunOptions, CancelRunOutcome, CancelRunResult } from './control/cancel-run.js';
export { cancelStoredRun } from './control/cancel-run.js';
export type { FollowEnd, FollowRunOptions, RunFollow } from './control/follow-run.js';
export { followRun } from './control/follow-run.js';
export { isProcessAlive } from './control/process-alive.js';
export type { RunControl, RunControlOptions, RunEventObserver } from './control/run-control.js';
export { createRunControl } from './control/run-control.js';
export type { RunOptions, RunSettingsPolicy } from './control/run-settings.js';
export { runEngineConfig } from './control/run-settings.js';
export type { RunLiveness, RunnerLiveness, RunRunner } from './control/runner-liveness.js';
export { readRunLiveness, runnerLiveness, runnerOf } from './control/runner-liveness.js';
export type { EngineRunConfig } from './engine-config.js';
export type { EventListener, EventStreamOptions } from './events/event-bus.js';
export { EventBus } from './events/event-bus.js';
export { AGGREGATOR_SYSTEM_PROMPT, AggregatorOutputSchema } from './modules/aggregator.js';
export { ATOMIZER_SYSTEM_PROMPT, AtomizerOutputSchema } from './modules/atomizer.js';
export { ExecutorOutputSchema, executorSystemPrompt } from './modules/executor.js';
export type { EngineModuleName, ModuleSettings } from './modules/module-settings.js';
export { resolveModuleSettings } from './modules/module-settings.js';
export { PLANNER_SYSTEM_PROMPT, PlannerOutputSchema } from './modules/planner.js';
export { taskPrompt } from './modules/task-prompt.js';
export { VERIFIER_SYSTEM_PROMPT, VerifierOutputSchema } from './modules/verifier.js';
export type { PlanCheck, PlannedSubtask } from './plan/validate-plan.js';
export { checkPlan, childTaskId, findCycleMembers } from './plan/validate-plan.js';
export type { ResumeState, ResumeTask } from './projection/resume-state.js';
export { foldResumeState } from './projection/resume-state.js';
export type { TaskTree } from './projection/task-tree.js';
export { applyToTaskTree, childrenOf, emptyTaskTree, foldTaskTree } from './projection/task-tree.js';
export type { RunTotals, TotalsFold } from './projection/totals.js';
export { applyToTotals, createTotalsFold, emptyTotals, foldTotals } from './projection/totals.js';
export type { PtcPlanNode } from './ptc-plan.js';
export { buildPtcPlan } from './ptc-plan.js';
export type {
  EngineDependencies,
  ExecutionHandle,
  ExecutionOutcome,
  ResumeOptions,
  RunObserver,
  SolveRequest,
} from './run/engine-types.js';
export { resumeExecution, solve, startExecution, startResume } from './run/execution.js';
export { newExecutionId, ROOT_TASK_ID } from './run/execution-id.js';
export { Semaphore } from './scheduler/semaphore.js';
export type { RunSnapshot, StopCondition, StopDecision } from './scheduler/stop-conditions.js';
export {
  anyOf,
  maxCostUsd,
  maxNodes,
  maxTotalTokens,
  maxTreeDepth,
  maxWallTimeMs,
  stopConditionsFromConfig,
} from './scheduler/stop-conditions.js';
export type { StepScope } from './steps/perform-step.js';
export type { RemoteStepDependencies, RemoteStepOptions } from './steps/remote-step.js';
export { recordedStepResult, runRemoteStep } from './steps/remote-step.js';
export type { StepDispatcher } from './steps/step-dispatcher.js';
export { inProcessSteps } from './steps/step-dispatcher.js';
export type { StepOutput, StepOutputOf, StepRequest, StepResult } from './steps/step-request.js';
export { STEP_MODULES, StepOutputSchemas, StepRequestSchema, stepKey } from './steps/step-request.js';
