// CodeAgent: the one interface through which the engine hands CODE (and tool-using) tasks to the PTC agent.
// A contract, so the engine (caller) and the PTC agent and its HTTP client (implementations) share one definition.
import type { NewStreamEvent } from './events.js';
import type { PTCExecutionPlan } from './ptc-plan.js';
import type { PTCArtifactResult } from './ptc-result.js';

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
   * Takes one of the run's model-call slots (`engine.maxConcurrency`); resolves with its release. An agent
   * that makes its model calls in this process takes one around each call, so they count against the same
   * limit as the engine's own calls and no slot is held while its program runs.
   */
  acquireModelCallSlot?: (signal: AbortSignal) => Promise<() => void>;
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
