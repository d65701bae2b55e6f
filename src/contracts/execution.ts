// An execution (one run of `roma solve`): its status and the summary a list of runs shows.
import { z } from 'zod';
import { TokenUsageSchema } from './usage.js';

export const EXECUTION_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED'] as const;
export const ExecutionStatusSchema = z.enum(EXECUTION_STATUSES);
export type ExecutionStatus = z.output<typeof ExecutionStatusSchema>;

/** Why a run stopped before finishing: which budget or limit ran out. */
const STOP_REASONS = [
  'max-depth',
  'max-tokens',
  'max-cost',
  'max-wall-time',
  'max-nodes',
  'cancelled',
] as const;
export const StopReasonSchema = z.enum(STOP_REASONS);
export type StopReason = z.output<typeof StopReasonSchema>;

export const ExecutionSummarySchema = z
  .object({
    id: z.string().min(1),
    goal: z.string().min(1),
    status: ExecutionStatusSchema,
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true }),
    /** Number of events stored; the next event gets `lastSeq + 1`. */
    lastSeq: z.number().int().nonnegative(),
    usage: TokenUsageSchema,
    nodeCount: z.number().int().nonnegative(),
    result: z.string().nullable(),
  })
  .strict();
export type ExecutionSummary = z.output<typeof ExecutionSummarySchema>;
