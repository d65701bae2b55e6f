// Execution ids: sortable by start time, short enough to type, random enough to never collide.
import { randomBytes } from 'node:crypto';

export function newExecutionId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}

export const ROOT_TASK_ID = 'root';
