// Builds the agent's stream events (the store numbers them); every event names the plan's execution and task.
import type { NewStreamEvent, PTCArtifactResult, PTCExecutionPlan } from '../../contracts/index.js';

type EventBody<T extends NewStreamEvent['type']> = Omit<
  Extract<NewStreamEvent, { type: T }>,
  'executionId' | 'timestamp' | 'type'
>;

export function planEvent<T extends NewStreamEvent['type']>(
  plan: PTCExecutionPlan,
  type: T,
  body: EventBody<T>,
): NewStreamEvent {
  return {
    type,
    executionId: plan.executionId,
    timestamp: new Date().toISOString(),
    ...body,
  } as unknown as NewStreamEvent;
}

/** A result-cache hit, carrying what the run behind the stored result spent: the run's saved tokens count it. */
export function cacheHitEvent(plan: PTCExecutionPlan, result: PTCArtifactResult): NewStreamEvent {
  const saved = result.savedUsage;
  return planEvent(plan, 'ptc-cache-hit', {
    taskId: plan.taskId,
    planId: plan.planId,
    cacheKey: result.cacheKey ?? 'unknown',
    savedInputTokens: saved?.inputTokens ?? 0,
    savedOutputTokens: saved?.outputTokens ?? 0,
    savedCostUsd: saved?.costUsd ?? 0,
  });
}
