// Checks events before they are written: a bad event is refused whole, naming the offending field.
import type { ExecutionSummary, NewStreamEvent, StreamEvent } from '../contracts/index.js';
import { parseJsonWith, parseOrThrow, parseWith, RomaError, StreamEventSchema } from '../contracts/index.js';
import { foldSummary, initialSummary, normalizeTimestamp, taskIdOf } from './summary-fold.js';

/**
 * Validates an event before its `seq` is known (a placeholder 1 stands in), so a bad event fails before any
 * transaction starts. Returns the parsed event with defaults filled; the store then sets the real `seq`.
 */
export function validateNewEvent(event: NewStreamEvent): StreamEvent {
  return parseOrThrow(StreamEventSchema, { ...event, seq: 1 }, 'event');
}

/**
 * Validates the events of one atomic append (`appendAll`) before any transaction starts: each as
 * `validateNewEvent` does, and all of one execution (one transaction holds one execution's row lock).
 */
export function validateNewEventGroup(events: readonly NewStreamEvent[]): StreamEvent[] {
  const validated = events.map((event, index) =>
    parseOrThrow(StreamEventSchema, { ...event, seq: 1 }, `events[${index}]`),
  );
  const executionId = validated[0]?.executionId;
  const stranger = validated.findIndex((event) => event.executionId !== executionId);
  if (stranger >= 0) {
    throw new RomaError(
      'VALIDATION_FAILED',
      `events[${stranger}].executionId: events appended together belong to one execution (${executionId})`,
      { field: `events[${stranger}].executionId`, fix: 'append the events of each execution separately' },
    );
  }
  return validated;
}

/** Parses an event read back from storage; a stored row that no longer parses is a STORE_FAILED. */
export function parseStoredEvent(value: unknown, executionId: string, seq: number): StreamEvent {
  const parsed = parseWith(StreamEventSchema, value, 'storedEvent');
  if (parsed.ok) return parsed.value;
  throw new RomaError('STORE_FAILED', `stored event ${executionId}#${seq} is invalid: ${parsed.message}`, {
    details: { issues: parsed.issues },
  });
}

/** Same as `parseStoredEvent` for a payload stored as JSON text. */
export function parseStoredEventJson(text: string, executionId: string, seq: number): StreamEvent {
  const parsed = parseJsonWith(StreamEventSchema, text, 'storedEvent');
  if (parsed.ok) return parsed.value;
  throw new RomaError('STORE_FAILED', `stored event ${executionId}#${seq} is invalid: ${parsed.message}`, {
    details: { issues: parsed.issues },
  });
}

interface ImportedLog {
  events: StreamEvent[];
  summary: ExecutionSummary;
}

/**
 * Checks an exported log before import: every event valid, one execution, seqs 1..n without gaps, opened by
 * `execution-start` (it carries the goal). Returns the events in seq order and the folded summary.
 */
export function validateImportedLog(input: readonly unknown[]): ImportedLog {
  if (input.length === 0) {
    throw new RomaError('VALIDATION_FAILED', 'events: an exported log has at least one event', {
      field: 'events',
      fix: 'import the JSONL written by `roma runs export <id>`',
    });
  }
  const events = input.map((event, index) => parseOrThrow(StreamEventSchema, event, `events[${index}]`));
  events.sort((a, b) => a.seq - b.seq);
  const first = events[0]!;
  if (first.type !== 'execution-start') {
    throw new RomaError(
      'VALIDATION_FAILED',
      `events: the log must start with execution-start, not ${first.type}`,
      {
        field: 'events[0].type',
      },
    );
  }
  let summary = initialSummary(first.executionId, first.goal, normalizeTimestamp(first.timestamp));
  const startedTasks = new Set<string>();
  events.forEach((event, index) => {
    if (event.executionId !== first.executionId) {
      throw new RomaError(
        'VALIDATION_FAILED',
        `events[${index}].executionId: ${event.executionId} differs from ${first.executionId}; a log holds one execution`,
        { field: `events[${index}].executionId` },
      );
    }
    if (event.seq !== index + 1) {
      throw new RomaError(
        'VALIDATION_FAILED',
        `events[${index}].seq: expected ${index + 1}, found ${event.seq}; seqs must run 1..n without gaps or repeats`,
        { field: `events[${index}].seq` },
      );
    }
    const taskId = event.type === 'task-start' ? taskIdOf(event) : null;
    summary = foldSummary(summary, event, {
      taskAlreadyStarted: taskId !== null && startedTasks.has(taskId),
    });
    if (taskId !== null) startedTasks.add(taskId);
  });
  return { events, summary };
}
