// Whether the process recorded as running a run is still alive: the one check behind resume, cancel, watch and list.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ExecutionStatus } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';
import type { ExecutionStore, RunnerBeat } from '../../store/execution-store.js';
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
 * `alive`: the runner is a live process on this host (or this very process), or on another host and it beat
 * recently. `gone`: it has exited (this host), or stopped beating (another host), so nobody will append to the log
 * until someone resumes it. `unknown`: no process was recorded, or one on another host that left no beat of its
 * own (a runner from before beats); nothing here can tell.
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

/** A runner on another host is gone once it has missed this many beats in a row. */
export const MISSED_BEATS_GONE = 3;

/**
 * On this host the process table decides; on another host the runner's last beat in the store (`beat`: the
 * execution's, which may be an earlier runner's) — alive while it is under MISSED_BEATS_GONE intervals old.
 */
export function runnerLiveness(runner: RunRunner | null, beat: RunnerBeat | null = null): RunnerLiveness {
  if (!runner) return 'unknown';
  if (runner.hostname !== hostname()) {
    if (runner.runnerId === null || beat === null || beat.runnerId !== runner.runnerId) return 'unknown';
    return beat.ageMs <= MISSED_BEATS_GONE * beat.intervalMs ? 'alive' : 'gone';
  }
  if (isThisProcess(runner)) return 'alive';
  // This pid under another incarnation: the process before this one (a restarted container), so it is gone.
  if (runner.pid === process.pid) return 'gone';
  return isProcessAlive(runner.pid) ? 'alive' : 'gone';
}

/** `runner`'s liveness, reading the run's last beat only where beats decide it (a runner on another host). */
export async function readRunnerLiveness(
  store: ExecutionStore,
  executionId: string,
  runner: RunRunner | null,
): Promise<RunnerLiveness> {
  const beat = runner && runner.hostname !== hostname() ? await store.lastBeat(executionId) : null;
  return runnerLiveness(runner, beat);
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
  const liveness = await readRunnerLiveness(store, executionId, runner);
  return {
    executionId,
    status: summary.status,
    runner,
    liveness,
    orphaned: summary.status === 'RUNNING' && liveness === 'gone',
  };
}
