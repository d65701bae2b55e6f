// Tells other processes' followers that this process committed: one byte rewritten in a file beside the database,
// which the OS reports (inotify) after the commit is visible — unlike the WAL write, which it reports before.
import { closeSync, openSync, writeSync } from 'node:fs';

const ONE_BYTE = Buffer.from('\n');

/** The beacon file of a database file: followers watch its directory for writes to this name. */
export function commitBeaconPath(databasePath: string): string {
  return `${databasePath}-commits`;
}

export class SqliteCommitBeacon {
  #descriptor: number | undefined;
  #failed = false;
  readonly #path: string | null;

  /** `null` (an in-memory database) makes a beacon that never rings: no other process can read it anyway. */
  constructor(databasePath: string | null) {
    this.#path = databasePath === null ? null : commitBeaconPath(databasePath);
  }

  /**
   * Called after each commit. Best effort: a beacon that cannot be written (read-only directory, no descriptors)
   * leaves followers to their poll tick, which finds every commit anyway, so it stops trying and never throws.
   */
  ring(): void {
    if (this.#path === null || this.#failed) return;
    try {
      this.#descriptor ??= openSync(this.#path, 'w', 0o600);
      // Positional write at 0: the file stays one byte however many commits ring it.
      writeSync(this.#descriptor, ONE_BYTE, 0, 1, 0);
    } catch {
      this.#failed = true;
      this.close();
    }
  }

  close(): void {
    if (this.#descriptor === undefined) return;
    try {
      closeSync(this.#descriptor);
    } catch {
      // Already gone; nothing holds it.
    }
    this.#descriptor = undefined;
  }
}
