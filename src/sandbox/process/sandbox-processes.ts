// Finds and kills, from the host, every process a sandboxed program left behind: the tree under the
// sandbox's pid-namespace init except the runner itself, so nothing the guest does can keep one alive.
import { readdirSync, readFileSync } from 'node:fs';

/** Rounds of kill-and-rescan (a process forked while we walked is found by the next round). */
const MAX_KILL_ROUNDS = 200;
/** Pause between rounds: SIGKILL is delivered asynchronously, a killed process lingers for a moment. */
const ROUND_PAUSE_MS = 2;

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const task of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) {
        const value = Number(child);
        if (Number.isInteger(value) && value > 0) children.push(value);
      }
    } catch {
      // The task ended while we read.
    }
  }
  return children;
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** The pid, as the host sees it, of the sandbox's pid-namespace init (bwrap's reaper, pid 1 inside). */
function namespaceInitPid(bwrapPid: number): number | undefined {
  return childrenOf(bwrapPid)[0];
}

/** Every live descendant of `rootPid`, breadth first, bounded by `limit`. */
function descendants(rootPid: number, limit = 100_000): number[] {
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0 && found.length < limit) {
    const pid = queue.shift()!;
    for (const child of childrenOf(pid)) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * SIGKILLs every process inside the sandbox whose bwrap (as the host sees it) is `bwrapPid`, except the
 * runner (pid 2 inside), and waits (bounded) until they are dead. Zombies are skipped: the reaper or the
 * runner collects them.
 */
export async function killStrayProcesses(
  bwrapPid: number,
  runnerPid: number | undefined,
): Promise<{ killed: number; remaining: number }> {
  const init = namespaceInitPid(bwrapPid);
  if (init === undefined) return { killed: 0, remaining: 0 };
  let killed = 0;
  let strays: number[] = [];
  for (let round = 0; round < MAX_KILL_ROUNDS; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, ROUND_PAUSE_MS));
    strays = descendants(init).filter((pid) => pid !== runnerPid && !isZombie(pid));
    if (strays.length === 0) break;
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // Already gone.
      }
    }
  }
  return { killed, remaining: strays.length };
}

/** The runner's host pid: the namespace init's child whose pid inside the namespace is 2. */
export function runnerPidOf(bwrapPid: number): number | undefined {
  const init = namespaceInitPid(bwrapPid);
  if (init === undefined) return undefined;
  for (const child of childrenOf(init)) {
    try {
      const nsPids = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${child}/status`, 'utf8'))?.[1];
      if (nsPids?.trim().split(/\s+/).at(-1) === '2') return child;
    } catch {
      // Ended while we read.
    }
  }
  return undefined;
}

/** A process's start time (clock ticks since boot, field 22 of /proc/PID/stat): tells a pid from its reuse. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The sandbox's pid-namespace init as the host sees it, with what identifies it against pid reuse. */
export interface NamespaceInit {
  pid: number;
  startTime: string;
}

export function namespaceInitOf(bwrapPid: number): NamespaceInit | undefined {
  const pid = namespaceInitPid(bwrapPid);
  const startTime = pid === undefined ? undefined : startTimeOf(pid);
  return pid === undefined || startTime === undefined ? undefined : { pid, startTime };
}

/**
 * SIGKILLs the sandbox's pid-namespace init, which makes the kernel kill every process of the namespace;
 * bwrap (`bwrapPid`) exits only once the init is reaped, i.e. once the namespace is empty. False when the
 * init is no longer that process (already gone), so the caller kills bwrap itself.
 */
export function killNamespace(init: NamespaceInit, bwrapPid: number): boolean {
  if (parentOf(init.pid) !== bwrapPid || startTimeOf(init.pid) !== init.startTime) return false;
  try {
    process.kill(init.pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** True when every thread of `pid` is stopped (or the process is gone): no code of it can run. */
function isStopped(pid: number): boolean {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'T' && state !== 't' && state !== 'Z' && state !== 'X') return false;
    } catch {
      // The thread ended while we read.
    }
  }
  return true;
}

/** Rounds of waiting for SIGSTOP to take effect on every thread. */
const MAX_STOP_ROUNDS = 500;

/**
 * SIGSTOPs the runner and waits (bounded) until every thread of it is stopped: between runs no guest code
 * runs at all (no timer or thread can start a process, write a file or spend CPU outside a run's limits).
 */
export async function pauseRunner(runnerPid: number): Promise<boolean> {
  try {
    process.kill(runnerPid, 'SIGSTOP');
  } catch {
    return false;
  }
  for (let round = 0; round < MAX_STOP_ROUNDS; round++) {
    if (isStopped(runnerPid)) return true;
    await new Promise((resolve) => setTimeout(resolve, ROUND_PAUSE_MS));
  }
  return false;
}

/** Still paused: nothing (a stray's SIGCONT before it died) woke it up. */
export function runnerStillPaused(runnerPid: number): boolean {
  return isStopped(runnerPid);
}

/** Lets a paused runner go on (before the next run is sent to it). */
export function resumeRunner(runnerPid: number): void {
  try {
    process.kill(runnerPid, 'SIGCONT');
  } catch {
    // Gone: the run finds the interpreter dead.
  }
}
