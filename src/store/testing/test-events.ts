// Events for store tests: a warning is the smallest event a run can append, told apart by its message.
import type { NewStreamEvent } from '../../contracts/index.js';

/** A run-level warning of `executionId` saying `message`, timestamped now. */
export function warningEvent(executionId: string, message: string, code = 'TEST'): NewStreamEvent {
  return { type: 'warning', executionId, timestamp: new Date().toISOString(), taskId: null, code, message };
}
