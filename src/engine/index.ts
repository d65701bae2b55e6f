// ROMA engine: recursive solver (atomize → plan → execute → aggregate → verify), DAG scheduler, event log, resume.

export type { CodeAgent } from '../contracts/index.js';
export type { RunControl, RunEventObserver } from './control/run-control.js';
export { createRunControl } from './control/run-control.js';
export { runEngineConfig } from './control/run-settings.js';
export type { EngineRunConfig } from './engine-config.js';
export { EventBus } from './events/event-bus.js';
export { resolveModuleSettings } from './modules/module-settings.js';
export type { TaskTree } from './projection/task-tree.js';
export { applyToTaskTree, childrenOf, emptyTaskTree, foldTaskTree } from './projection/task-tree.js';
export type { RunTotals, TotalsFold } from './projection/totals.js';
export { applyToTotals, createTotalsFold, foldTotals } from './projection/totals.js';
export type {
  EngineDependencies,
  ExecutionHandle,
  ExecutionOutcome,
  ResumeOptions,
  SolveRequest,
} from './run/engine-types.js';
export { solve, startExecution } from './run/execution.js';
export { newExecutionId, ROOT_TASK_ID } from './run/execution-id.js';
export { Semaphore } from './scheduler/semaphore.js';
export type { StepScope } from './steps/perform-step.js';
export { runRemoteStep } from './steps/remote-step.js';
export type { StepDispatcher } from './steps/step-dispatcher.js';
export type { StepRequest, StepResult } from './steps/step-request.js';
export { STEP_MODULES, StepOutputSchemas, StepRequestSchema, stepKey } from './steps/step-request.js';
