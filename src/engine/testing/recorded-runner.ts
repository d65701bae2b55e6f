// For liveness tests: a run whose log names a runner (pid, host, incarnation), as if that process had started it.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { ExecutionStore } from '../../store/execution-store.js';

export interface RecordedRunner {
  pid: number;
  /** This host when absent. */
  hostname?: string;
  /** The runner's incarnation; absent: a log from before runners recorded one. */
  runnerId?: string;
}

/** Creates the run and stores its `execution-start` naming `runner`. */
export async function startRunAs(
  store: ExecutionStore,
  executionId: string,
  runner: RecordedRunner,
): Promise<void> {
  await store.createExecution({ id: executionId, goal: 'g' });
  await store.append({
    type: 'execution-start',
    executionId,
    timestamp: new Date().toISOString(),
    goal: 'g',
    rootTaskId: 'root',
    options: {
      pid: runner.pid,
      hostname: runner.hostname ?? hostname(),
      ...(runner.runnerId === undefined ? {} : { runnerId: runner.runnerId }),
    },
  });
}

/** The pid of a process that has already exited. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { timeout: 30_000 });
  return child.pid ?? 999_999;
}
