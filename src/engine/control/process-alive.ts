// Whether a run's recorded process still lives on this host (a resume or cancel must not race a live runner).

/** True when `pid` is alive; a process we may not signal (EPERM) is alive too. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
