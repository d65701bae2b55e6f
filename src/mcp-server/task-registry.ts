// The solve tasks (MCP tasks: call now, fetch the result later) this process handed out: bounded in number and
// lifetime. A task points at a run; the run in the store is the truth for its status and result.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { RomaError } from '../contracts/index.js';
import type { SolveProgress } from './solve-tool.js';

export interface SolveTaskRecord {
  /** The run's id when a run started (one id for the task, `run_get` and `roma://runs/{id}`). */
  taskId: string;
  /** Null when the call failed before a run started (bad profile, limits): then `failure` holds its result. */
  executionId: string | null;
  /** The tenant that created it (null when runs are not split by tenant). */
  owner: string | null;
  createdAtMs: number;
  ttlMs: number;
  progress: SolveProgress;
  /** The run has ended in this process: such tasks go first when the registry is full. */
  ended: boolean;
  /** `tasks/cancel` asked for the run's end (it may take the process running it a moment). */
  cancelRequested: boolean;
  failure: CallToolResult | null;
  /** Found again from its run's log (handed out before this process started): its progress is read from the log. */
  recovered?: boolean;
}

export interface SolveTaskRegistryOptions {
  /** Tasks kept at once; past it the oldest ended task goes, and with none ended a new task is refused. */
  maxTasks?: number;
  /** Running tasks of one tenant at once (default 100): one key cannot take every slot. */
  maxRunningPerOwner?: number;
  /** A task's lifetime from its creation when the client asks for none (default 1 h). */
  defaultTtlMs?: number;
  /** The longest lifetime a client may ask for (default 24 h); shorter than `minTtlMs` is raised to it. */
  maxTtlMs?: number;
  minTtlMs?: number;
  /** What clients are told to wait between `tasks/get` polls (default 1 s). */
  pollIntervalMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export interface SolveTaskRegistry {
  readonly pollIntervalMs: number;
  now(): number;
  /** The lifetime granted for a requested one (the protocol lets a receiver override the request). */
  ttlFor(requestedMs: number | undefined): number;
  /** RATE_LIMITED (retryable) when every slot holds a task whose run has not ended, or `owner` runs its most. */
  makeRoom(owner: string | null): void;
  add(record: SolveTaskRecord): void;
  get(taskId: string): SolveTaskRecord | undefined;
  /** Live tasks, newest first. */
  list(): SolveTaskRecord[];
  size(): number;
}

export function createSolveTaskRegistry(options: SolveTaskRegistryOptions = {}): SolveTaskRegistry {
  const maxTasks = options.maxTasks ?? 1000;
  const maxRunningPerOwner = options.maxRunningPerOwner ?? 100;
  const defaultTtlMs = options.defaultTtlMs ?? 60 * 60_000;
  const maxTtlMs = options.maxTtlMs ?? 24 * 60 * 60_000;
  const minTtlMs = options.minTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  // Insertion order is creation order: the first entries are the oldest.
  const records = new Map<string, SolveTaskRecord>();

  const expired = (record: SolveTaskRecord) => now() >= record.createdAtMs + record.ttlMs;
  // Expiry runs on access, so no timer outlives the server.
  const prune = () => {
    for (const [taskId, record] of records) if (expired(record)) records.delete(taskId);
  };

  return {
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    now,
    ttlFor: (requestedMs) => Math.min(maxTtlMs, Math.max(minTtlMs, Math.round(requestedMs ?? defaultTtlMs))),
    makeRoom: (owner) => {
      prune();
      let running = 0;
      for (const record of records.values()) if (record.owner === owner && !record.ended) running += 1;
      if (running >= maxRunningPerOwner) {
        throw new RomaError('RATE_LIMITED', `${running} of your solve tasks are running on this server`, {
          retryable: true,
          fix: 'wait for one to finish, or cancel one with tasks/cancel',
        });
      }
      if (records.size < maxTasks) return;
      for (const [taskId, record] of records) {
        if (record.ended) {
          records.delete(taskId);
          return;
        }
      }
      throw new RomaError('RATE_LIMITED', `${maxTasks} solve tasks are running on this server`, {
        retryable: true,
        fix: 'wait for one to finish, or call solve without a task',
      });
    },
    add: (record) => {
      records.set(record.taskId, record);
    },
    get: (taskId) => {
      const record = records.get(taskId);
      if (!record) return undefined;
      if (!expired(record)) return record;
      records.delete(taskId);
      return undefined;
    },
    list: () => {
      prune();
      return [...records.values()].reverse();
    },
    size: () => records.size,
  };
}
