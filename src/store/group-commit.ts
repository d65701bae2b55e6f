// Group commit: writes submitted while the event loop is busy are committed together, so one fsync covers them all.

/** What one submitted write came to: its result, or why it alone was refused. */
export type GroupCommitOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

/**
 * Commits `items` in one transaction, in the order given, and returns one outcome per item (same order). It
 * throws only when the transaction as a whole failed: then none of the items was written.
 */
export type CommitBatch<Item, Result> = (items: readonly Item[]) => Array<GroupCommitOutcome<Result>>;

interface Waiting<Item, Result> {
  item: Item;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

/** What group commit has done so far: commits, the writes they held, and the time spent committing. */
export interface GroupCommitStats {
  commits: number;
  items: number;
  /** Synchronous time inside commits (with better-sqlite3 the event loop waits for it, fsync included). */
  commitMs: number;
}

/** A transaction this large is still one short fsync; more waiting items go into the next one. */
export const MAX_GROUP_COMMIT_ITEMS = 1_000;

/**
 * Collects writes until the current turn of the event loop ends (`setImmediate`), then commits them in
 * submission order. Each caller's promise settles only after the commit that holds its item, so durability is
 * what a commit per write gives; only the number of commits (and fsyncs) falls.
 */
export class GroupCommit<Item, Result> {
  #waiting: Array<Waiting<Item, Result>> = [];
  #scheduled: NodeJS.Immediate | undefined;
  readonly #stats: GroupCommitStats = { commits: 0, items: 0, commitMs: 0 };

  constructor(
    private readonly commitBatch: CommitBatch<Item, Result>,
    private readonly failBatch: (error: unknown) => unknown,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  get stats(): GroupCommitStats {
    return { ...this.#stats };
  }

  /** Commits everything waiting now (also called before the store closes). */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    // Bounded: each pass takes up to MAX_GROUP_COMMIT_ITEMS off the queue, and nothing is added meanwhile.
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, MAX_GROUP_COMMIT_ITEMS);
      let outcomes: Array<GroupCommitOutcome<Result>>;
      const startedMs = performance.now();
      try {
        outcomes = this.commitBatch(batch.map((waiting) => waiting.item));
      } catch (error) {
        const failure = this.failBatch(error);
        for (const waiting of batch) waiting.reject(failure);
        continue;
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
}
