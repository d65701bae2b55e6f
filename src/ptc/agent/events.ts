// Builds the agent's stream events (the store numbers them); every event names the plan's execution and task.
import type { NewStreamEvent, PTCExecutionPlan } from '../../contracts/index.js';

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
