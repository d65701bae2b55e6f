// Group commit: writes submitted while the event loop is busy are committed together, so one fsync covers them all.

/** What one submitted write came to: its result, or why it alone was refused. */
export type GroupCommitOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

/**
 * Commits `items` in one transaction, in the order given, and returns one outcome per item (same order), at once
 * or when the commit is done. It throws (rejects) only when the transaction as a whole failed: then none of the
 * items was written.
 */
export type CommitBatch<Item, Result> = (
  items: readonly Item[],
) => Array<GroupCommitOutcome<Result>> | Promise<Array<GroupCommitOutcome<Result>>>;

interface Waiting<Item, Result> {
  item: Item;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

/** What group commit has done so far: commits, the writes they held, and the time spent committing. */
export interface GroupCommitStats {
  commits: number;
  items: number;
  /**
   * Time inside commits, from the batch's start to its outcomes. A synchronous commit (better-sqlite3 on the
   * store's own connection) blocks the event loop that long, fsync included; one in a worker does not.
   */
  commitMs: number;
}

/** A transaction this large is still one short fsync; more waiting items go into the next one. */
export const MAX_GROUP_COMMIT_ITEMS = 1_000;

/**
 * Collects writes until the current turn of the event loop ends (`setImmediate`), then commits them in
 * submission order, one batch at a time: writes submitted while a batch commits wait for the next. Each
 * caller's promise settles only after the commit that holds its item, so durability is what a commit per
 * write gives; only the number of commits (and fsyncs) falls.
 */
export class GroupCommit<Item, Result> {
  #waiting: Array<Waiting<Item, Result>> = [];
  #scheduled: NodeJS.Immediate | undefined;
  #inFlight: Promise<void> | undefined;
  readonly #stats: GroupCommitStats = { commits: 0, items: 0, commitMs: 0 };

  constructor(
    private readonly commitBatch: CommitBatch<Item, Result>,
    private readonly failBatch: (error: unknown) => unknown,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  get stats(): GroupCommitStats {
    return { ...this.#stats };
  }

  /** Commits everything submitted so far (also called before the store closes); resolves once all settled. */
  async flush(): Promise<void> {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    // Bounded: each pass commits up to MAX_GROUP_COMMIT_ITEMS or awaits the batch in flight.
    while (this.#inFlight !== undefined || this.#waiting.length > 0) {
      if (this.#inFlight === undefined) this.#next();
      await this.#inFlight;
    }
  }

  #schedule(): void {
    if (this.#inFlight !== undefined || this.#scheduled !== undefined) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      this.#next();
    });
  }

  #next(): void {
    if (this.#inFlight !== undefined || this.#waiting.length === 0) return;
    const batch = this.#waiting.splice(0, MAX_GROUP_COMMIT_ITEMS);
    this.#inFlight = this.#commit(batch).finally(() => {
      this.#inFlight = undefined;
      // What arrived meanwhile waited for this commit already; it goes at the end of this turn.
      if (this.#waiting.length > 0) this.#schedule();
    });
  }

  async #commit(batch: Array<Waiting<Item, Result>>): Promise<void> {
    let outcomes: Array<GroupCommitOutcome<Result>>;
    const startedMs = performance.now();
    try {
      outcomes = await this.commitBatch(batch.map((waiting) => waiting.item));
    } catch (error) {
      const failure = this.failBatch(error);
      for (const waiting of batch) waiting.reject(failure);
      return;
    } finally {
      this.#stats.commits += 1;
      this.#stats.items += batch.length;
      this.#stats.commitMs += performance.now() - startedMs;
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome ? outcome.error : new Error('group commit returned no outcome'));
    });
  }
}
