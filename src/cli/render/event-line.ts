// One plain line per event that matters to a reader, for logs and pipes (stdout not a TTY).
import type { StreamEvent } from '../../contracts/index.js';
import { clip, formatCost, formatDuration } from './format.js';

/** Null for events a reader does not need line by line (status steps, model calls). */
export function eventLine(event: StreamEvent): string | null {
  const time = event.timestamp.slice(11, 23);
  switch (event.type) {
    case 'execution-start':
      return `${time} run ${event.executionId} started: ${clip(event.goal, 100)}`;
    case 'execution-resume':
      return `${time} run ${event.executionId} resumed after event ${event.fromSeq}`;
    case 'task-start':
      return `${time} start  ${event.taskId} ${event.taskType}: ${clip(event.goal, 90)}`;
    case 'task-atomized':
      return `${time} ${event.nodeType === 'PLAN' ? 'plan  ' : 'exec  '} ${event.taskId}${event.forcedByDepth ? ' (depth limit)' : ''}`;
    case 'task-planned':
      return `${time} planned ${event.taskId}: ${event.subtasks.map((subtask) => subtask.id).join(', ')}${event.replan ? ` (replan ${event.replan})` : ''}`;
    case 'task-verified':
      return `${time} verify ${event.taskId}: ${event.passed ? 'passed' : `failed: ${clip(event.feedback, 80)}`}`;
    case 'task-step-end':
      return `${time} step ${event.step} ${event.taskId} #${event.attempt}${event.worker ? ` on ${event.worker}` : ''}`;
    case 'task-end':
      return `${time} ${event.status === 'COMPLETED' ? 'done  ' : event.status === 'FAILED' ? 'FAILED' : 'cancel'} ${event.taskId}${event.error ? `: ${event.error.code}: ${clip(event.error.message, 100)}` : ''}`;
    case 'artifact-created':
      return `${time} artifact ${event.artifact.name} (${event.artifact.bytes} bytes) from ${event.taskId ?? 'run'}`;
    case 'warning':
      return `${time} warning ${event.code}: ${clip(event.message, 120)}`;
    case 'error':
      return `${time} error ${event.code}: ${clip(event.message, 120)}`;
    case 'execution-cancel-requested':
      return `${time} cancel requested${event.reason ? `: ${event.reason}` : ''}`;
    case 'execution-end':
      return `${time} run ${event.status.toLowerCase()}${event.reason ? ` (${event.reason})` : ''} in ${formatDuration(event.durationMs)}, ${formatCost(event.usage.costUsd)}`;
    default:
      return null;
  }
}
