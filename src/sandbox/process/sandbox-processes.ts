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
