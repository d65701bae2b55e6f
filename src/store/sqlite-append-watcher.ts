// Cross-process append detection for SQLite followers: one watcher per store notices commits of other processes
// (a write to their commit beacon or to the WAL file, seen by the OS, or one shared poll tick) and wakes only the
// followers whose run grew, instead of every follower re-reading its log on a timer of its own.
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** What the watcher asks the database; both are cheap point reads. */
export interface SqliteAppendProbe {
  /** `PRAGMA data_version`: moves when another connection commits, so an idle tick costs one read. */
  dataVersion(): number;
  /** The execution's `last_seq` as committed (0 when it has none). */
  lastSeq(executionId: string): number;
}

/**
 * After a WAL write the commit is visible only once it is fsynced and the WAL index is updated, which the OS does
 * not report: re-check a few times, soon, before leaving it to the tick.
 */
const RECHECK_DELAYS_MS = [1, 2, 4, 8, 16] as const;

interface Watched {
  lastSeq: number;
  followers: number;
}

export class SqliteAppendWatcher {
  readonly #probe: SqliteAppendProbe;
  readonly #onAppend: (executionId: string) => void;
  readonly #walPath: string | null;
  readonly #beaconName: string | null;
  /**
   * Once a writer's beacon is heard, WAL writes are no longer checked: they come before their commit is visible
   * and each cost a check and rechecks. A writer that rings none is then found by the tick alone.
   */
  #beaconHeard = false;
  readonly #closedSignal: AbortSignal;
  readonly #watched = new Map<string, Watched>();
  /** Poll interval → number of followers asking for it; the tick runs at the smallest. */
  readonly #intervals = new Map<number, number>();
  #dataVersion = -1;
  #tick: ReturnType<typeof setTimeout> | undefined;
  #tickMs = Number.POSITIVE_INFINITY;
  #fileWatcher: FSWatcher | undefined;
  #checkQueued = false;
  #recheck: ReturnType<typeof setTimeout> | undefined;
  #checks = 0;

  constructor(options: {
    probe: SqliteAppendProbe;
    onAppend: (executionId: string) => void;
    /** The database's WAL file, watched for writes; null (`:memory:`) leaves only the tick. */
    walPath: string | null;
    /**
     * The commit beacon (same directory as the WAL) that writers rewrite after each commit: a write to it means a
     * commit is visible now, so it is checked at once with no rechecks. Writers that ring none still wake the WAL.
     */
    beaconPath?: string | null;
    closedSignal: AbortSignal;
  }) {
    this.#probe = options.probe;
    this.#onAppend = options.onAppend;
    this.#walPath = options.walPath;
    this.#beaconName = options.beaconPath ? basename(options.beaconPath) : null;
    this.#closedSignal = options.closedSignal;
    this.#closedSignal.addEventListener('abort', () => this.#stop(), { once: true });
  }

  /** Database checks made so far (for tests: an idle watcher only ticks). */
  get checks(): number {
    return this.#checks;
  }

  /** True while the WAL file is watched through the OS (else only the tick finds other processes' commits). */
  get watchingFile(): boolean {
    return this.#fileWatcher !== undefined;
  }

  /**
   * Wakes `onAppend(executionId)` when another process commits to that execution, within `pollIntervalMs` at
   * worst. Call it before the follower's first read, so no commit falls between. Returns the release.
   */
  watch(executionId: string, pollIntervalMs: number): () => void {
    if (this.#closedSignal.aborted) return () => undefined;
    if (this.#watched.size === 0) this.#start();
    const entry = this.#watched.get(executionId);
    if (entry) entry.followers += 1;
    else this.#watched.set(executionId, { lastSeq: this.#probe.lastSeq(executionId), followers: 1 });
    this.#intervals.set(pollIntervalMs, (this.#intervals.get(pollIntervalMs) ?? 0) + 1);
    if (pollIntervalMs < this.#tickMs) this.#armTick();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const current = this.#watched.get(executionId);
      if (current && --current.followers === 0) this.#watched.delete(executionId);
      const count = (this.#intervals.get(pollIntervalMs) ?? 1) - 1;
      if (count === 0) this.#intervals.delete(pollIntervalMs);
      else this.#intervals.set(pollIntervalMs, count);
      if (this.#watched.size === 0) this.#stop();
    };
  }

  #start(): void {
    this.#dataVersion = this.#probe.dataVersion();
    if (!this.#walPath) return;
    const walName = basename(this.#walPath);
    try {
      // The directory, not the file: the WAL is removed when the last connection closes and made again later.
      const watcher = watch(dirname(this.#walPath), { persistent: false }, (_event, fileName) => {
        if (fileName !== null && fileName === this.#beaconName) {
          this.#beaconHeard = true;
          this.#queueCheck();
        } else if (fileName === walName && !this.#beaconHeard) this.#queueCheck();
      });
      watcher.on('error', () => {
        watcher.close();
        if (this.#fileWatcher === watcher) this.#fileWatcher = undefined;
      });
      this.#fileWatcher = watcher;
    } catch {
      // No inotify (limits, unusual file systems): the tick alone still finds every commit.
      this.#fileWatcher = undefined;
    }
  }

  #stop(): void {
    clearTimeout(this.#tick);
    clearTimeout(this.#recheck);
    this.#tick = undefined;
    this.#recheck = undefined;
    this.#tickMs = Number.POSITIVE_INFINITY;
    this.#fileWatcher?.close();
    this.#fileWatcher = undefined;
    this.#watched.clear();
    this.#intervals.clear();
  }

  #armTick(): void {
    clearTimeout(this.#tick);
    this.#tickMs = Math.max(1, Math.min(...this.#intervals.keys()));
    this.#tick = setTimeout(() => {
      this.#check();
      if (this.#watched.size > 0) this.#armTick();
    }, this.#tickMs);
    this.#tick.unref?.();
  }

  /** Many WAL writes in one turn of the event loop make one check. */
  #queueCheck(): void {
    if (this.#checkQueued) return;
    this.#checkQueued = true;
    setImmediate(() => {
      this.#checkQueued = false;
      clearTimeout(this.#recheck);
      this.#recheck = undefined;
      if (!this.#check()) this.#scheduleRecheck(0);
    });
  }

  #scheduleRecheck(attempt: number): void {
    const delayMs = RECHECK_DELAYS_MS[attempt];
    if (delayMs === undefined || this.#watched.size === 0) return;
    this.#recheck = setTimeout(() => {
      this.#recheck = undefined;
      if (!this.#check()) this.#scheduleRecheck(attempt + 1);
    }, delayMs);
    this.#recheck.unref?.();
  }

  /** True when another connection committed since the last check; wakes the runs whose last_seq moved. */
  #check(): boolean {
    if (this.#closedSignal.aborted || this.#watched.size === 0) return false;
    this.#checks += 1;
    let version: number;
    try {
      version = this.#probe.dataVersion();
    } catch {
      // A failing database is the followers' to report (their own reads fail); the watcher just waits.
      return false;
    }
    if (version === this.#dataVersion) return false;
    this.#dataVersion = version;
    for (const [executionId, entry] of this.#watched) {
      let lastSeq: number;
      try {
        lastSeq = this.#probe.lastSeq(executionId);
      } catch {
        return true;
      }
      if (lastSeq === entry.lastSeq) continue;
      entry.lastSeq = lastSeq;
      this.#onAppend(executionId);
    }
    return true;
  }
}
