// CodeAgent: the one interface through which the engine hands CODE (and tool-using) tasks to the PTC agent.
// A contract, so the engine (caller) and the PTC agent and its HTTP client (implementations) share one definition.
import type { NewStreamEvent } from './events.js';
import type { PTCExecutionPlan } from './ptc-plan.js';
import type { PTCArtifactResult } from './ptc-result.js';
import type { TokenUsage } from './usage.js';

/** Ends one model call's slot; `usage` is what the call cost, booked against the run's shared budgets. */
export type ModelCallRelease = (usage?: TokenUsage) => void | Promise<void>;

export interface CodeAgentExecuteOptions {
  /** Aborted when the run is cancelled or stopped; the agent stops its model calls and sandbox runs. */
  signal: AbortSignal;
  /**
   * Records one event of the agent's work (llm-call with module `ptc`, code-execution-start/end, tool-call)
   * in the run's log; awaiting it makes the event durable before the agent's next step. The engine sets
   * `executionId` to the plan's execution. The agent should NOT emit `artifact-created` for the artifacts
   * it returns: the engine records those from the result, once.
   */
  emit: (event: NewStreamEvent) => Promise<void> | void;
  /**
   * Takes one of the run's model-call slots (`engine.maxConcurrency`), and reserves the call's share of a budget
   * shared by workers; resolves with its release, which is given what the call used (nothing when it failed
   * without a bill) so that share is booked. An agent that makes its model calls in this process takes one
   * around each call, so they count against the same limits as the engine's own calls and no slot is held while
   * its program runs. Rejects with BUDGET_EXCEEDED when the run's budget is spent.
   */
  acquireModelCallSlot?: (signal: AbortSignal) => Promise<ModelCallRelease>;
}

/**
 * Runs one plan to a result. Implemented by the PTC agent in process and by its HTTP client
 * (`PTC_SERVICE_URL`); the engine never knows which. A FAILURE/TIMEOUT result fails the task with its
 * `error`; CANCELLED cancels it; SUCCESS, PARTIAL_SUCCESS and CACHE_HIT complete it with `summary`.
 */
export interface CodeAgent {
  execute(plan: PTCExecutionPlan, options: CodeAgentExecuteOptions): Promise<PTCArtifactResult>;
  /**
   * True when the agent takes `acquireModelCallSlot` around each of its model calls (the in-process agent).
   * Otherwise its calls happen where this process cannot count them (a PTC service), and the engine holds
   * one slot for the whole execution as their stand-in.
   */
  readonly takesModelCallSlots?: boolean;
}
