// The task tree: node types, statuses with their legal transitions (as data), and the TaskNode record.
import { z } from 'zod';
import { ArtifactSchema } from './artifact.js';
import { RomaError } from './errors.js';
import { TokenUsageSchema } from './usage.js';

export const TASK_TYPES = ['RETRIEVE', 'THINK', 'WRITE', 'CODE'] as const;
export const TaskTypeSchema = z.enum(TASK_TYPES);
export type TaskType = z.output<typeof TaskTypeSchema>;

/** PLAN: composite, split into subtasks. EXECUTE: atomic, done by an executor. */
const NODE_TYPES = ['PLAN', 'EXECUTE'] as const;
export const NodeTypeSchema = z.enum(NODE_TYPES);
export type NodeType = z.output<typeof NodeTypeSchema>;

export const TASK_STATUSES = [
  'PENDING',
  'ATOMIZING',
  'PLANNING',
  'EXECUTING',
  'WAITING_FOR_CHILDREN',
  'AGGREGATING',
  'VERIFYING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.output<typeof TaskStatusSchema>;

const STOP: TaskStatus[] = ['FAILED', 'CANCELLED'];

/** Allowed next statuses of each status. Terminal statuses have none. */
export const TASK_STATUS_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  // A node at maxDepth skips atomizing and goes straight to EXECUTING.
  PENDING: ['ATOMIZING', 'EXECUTING', ...STOP],
  ATOMIZING: ['PLANNING', 'EXECUTING', ...STOP],
  PLANNING: ['WAITING_FOR_CHILDREN', ...STOP],
  WAITING_FOR_CHILDREN: ['AGGREGATING', ...STOP],
  // A verified aggregate completes; a failed verdict sends the node back to PLANNING (bounded by maxReplans).
  AGGREGATING: ['VERIFYING', 'COMPLETED', ...STOP],
  EXECUTING: ['VERIFYING', 'COMPLETED', ...STOP],
  VERIFYING: ['COMPLETED', 'PLANNING', 'EXECUTING', ...STOP],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
};

export function isTerminalStatus(status: TaskStatus): boolean {
  return TASK_STATUS_TRANSITIONS[status].length === 0;
}

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_STATUS_TRANSITIONS[from].includes(to);
}

/** Throws ILLEGAL_TRANSITION when `from → to` is not in the table. */
export function assertTransition(from: TaskStatus, to: TaskStatus, taskId?: string): void {
  if (canTransition(from, to)) return;
  const allowed = TASK_STATUS_TRANSITIONS[from];
  throw new RomaError(
    'ILLEGAL_TRANSITION',
    `task${taskId ? ` ${taskId}` : ''} cannot go from ${from} to ${to}; allowed: ${allowed.length ? allowed.join(', ') : 'none (terminal)'}`,
    { field: 'status', details: { from, to, taskId } },
  );
}

export const TaskErrorSchema = z
  .object({
    code: z.string().min(1),
    message: z.string(),
    /** The chain of causes, outermost first (a failed child's error under its parent's). */
    cause: z
      .array(z.object({ taskId: z.string().optional(), code: z.string(), message: z.string() }))
      .optional(),
  })
  .strict();
export type TaskError = z.output<typeof TaskErrorSchema>;

const isoTimestamp = z.iso.datetime({ offset: true });

export const TaskNodeSchema = z
  .object({
    id: z.string().min(1),
    executionId: z.string().min(1),
    parentId: z.string().min(1).nullable(),
    goal: z.string().min(1, 'goal must not be empty'),
    depth: z.number().int().nonnegative(),
    maxDepth: z.number().int().nonnegative(),
    taskType: TaskTypeSchema,
    /** Null until the atomizer (or the depth limit) decides. */
    nodeType: NodeTypeSchema.nullable(),
    status: TaskStatusSchema,
    /** Ids of siblings whose results this node needs. */
    dependencies: z.array(z.string().min(1)).default([]),
    children: z.array(z.string().min(1)).default([]),
    result: z.string().nullable().default(null),
    error: TaskErrorSchema.nullable().default(null),
    artifacts: z.array(ArtifactSchema).default([]),
    usage: TokenUsageSchema,
    createdAt: isoTimestamp,
    startedAt: isoTimestamp.nullable().default(null),
    completedAt: isoTimestamp.nullable().default(null),
  })
  .strict()
  .refine((node) => node.depth <= node.maxDepth, {
    message: 'depth must not exceed maxDepth',
    path: ['depth'],
  })
  .refine((node) => !node.dependencies.includes(node.id), {
    message: 'a task cannot depend on itself',
    path: ['dependencies'],
  });
export type TaskNode = z.output<typeof TaskNodeSchema>;
