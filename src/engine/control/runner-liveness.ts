// Whether the process recorded as running a run is still alive: the one check behind resume, cancel, watch and list.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ExecutionStatus } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/execution-store.js';
import type { ResumeState } from '../projection/resume-state.js';
import { foldResumeState } from '../projection/resume-state.js';
import { isProcessAlive } from './process-alive.js';

/**
 * This process's incarnation, recorded with its runs. A pid alone comes back: in a container the server is pid 1
 * after every restart, so a run its predecessor left behind would look alive to it, and cancel, watch and list
 * would wait on a runner that is gone. This id never comes back.
 */
export const RUNNER_ID = randomUUID();

/** The process that last started or resumed a run, as its log records it. */
export interface RunRunner {
  pid: number;
  hostname: string | null;
  /** Its incarnation (`RUNNER_ID` there); null in logs written before runs recorded one. */
  runnerId: string | null;
}

/**
 * `alive`: the runner is a live process on this host (or this very process). `gone`: it was on this host and
 * has exited, so nobody will append to the log until someone resumes it. `unknown`: another host, or no
 * process was ever recorded; nothing here can tell.
 */
export type RunnerLiveness = 'alive' | 'gone' | 'unknown';

export interface RunLiveness {
  executionId: string;
  /** The stored status; RUNNING is what the log says, even when its runner is gone. */
  status: ExecutionStatus;
  runner: RunRunner | null;
  liveness: RunnerLiveness;
  /** RUNNING while its runner is gone: `resume` continues it, `cancel` ends it on the spot. */
  orphaned: boolean;
}

/** The runner recorded in a resume state (the resumer's pid once a resume is logged). */
export function runnerOf(state: ResumeState | null): RunRunner | null {
  const pid = state?.options.pid;
  if (typeof pid !== 'number') return null;
  const host = state?.options.hostname;
  const runnerId = state?.options.runnerId;
  return {
    pid,
    hostname: typeof host === 'string' ? host : null,
    runnerId: typeof runnerId === 'string' ? runnerId : null,
  };
}

/** The runner is this very process (for a log without incarnations: this pid on this host). */
export function isThisProcess(runner: RunRunner): boolean {
  if (runner.hostname !== hostname()) return false;
  return runner.runnerId === null ? runner.pid === process.pid : runner.runnerId === RUNNER_ID;
}

export function runnerLiveness(runner: RunRunner | null): RunnerLiveness {
  if (!runner || runner.hostname !== hostname()) return 'unknown';
  if (isThisProcess(runner)) return 'alive';
  // This pid under another incarnation: the process before this one (a restarted container), so it is gone.
  if (runner.pid === process.pid) return 'gone';
  return isProcessAlive(runner.pid) ? 'alive' : 'gone';
}

/** Reads the run's summary and log; NOT_FOUND when the store has no such run. */
export async function readRunLiveness(store: ExecutionStore, executionId: string): Promise<RunLiveness> {
  const summary = await store.getExecution(executionId);
  if (!summary) {
    throw new RomaError('NOT_FOUND', `no run ${executionId} in the store`, {
      field: 'executionId',
      fix: 'list runs with `roma runs list`',
    });
  }
  const runner = runnerOf(foldResumeState(await store.readEvents(executionId)));
  const liveness = runnerLiveness(runner);
  return {
    executionId,
    status: summary.status,
    runner,
    liveness,
    orphaned: summary.status === 'RUNNING' && liveness === 'gone',
  };
}
