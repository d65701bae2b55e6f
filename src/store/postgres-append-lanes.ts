// Group commit for the PostgreSQL store: one append transaction in flight per execution; the appends made to it
// meanwhile wait, and go together in its next transaction (one row lock, one commit, one NOTIFY for all of them).
import type { GroupCommitOutcome } from './group-commit.js';

/** A transaction this large is still short; more waiting appends go into the next one. */
export const MAX_APPENDS_PER_TRANSACTION = 500;

/**
 * Commits `items` (all of execution `key`) in one transaction, in the order given, and returns one outcome per
 * item. Throws only when the transaction as a whole failed: then none of the items was written.
 */
export type CommitLane<Item, Result> = (
  key: string,
  items: readonly Item[],
) => Promise<Array<GroupCommitOutcome<Result>>>;

interface Waiting<Item, Result> {
  item: Item;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

interface Lane<Item, Result> {
  waiting: Array<Waiting<Item, Result>>;
  running: Promise<void>;
}

export class AppendLanes<Item, Result> {
  readonly #lanes = new Map<string, Lane<Item, Result>>();

  constructor(private readonly commit: CommitLane<Item, Result>) {}

  /** Settles after the transaction holding `item` committed (or refused it); in submission order per key. */
  submit(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const lane = this.#lanes.get(key);
      if (lane) {
        lane.waiting.push({ item, resolve, reject });
        return;
      }
      const opened: Lane<Item, Result> = { waiting: [{ item, resolve, reject }], running: Promise.resolve() };
      this.#lanes.set(key, opened);
      opened.running = this.#run(key, opened);
    });
  }

  /** Resolves once every append submitted so far has settled. */
  async drain(): Promise<void> {
    while (this.#lanes.size > 0) await Promise.all([...this.#lanes.values()].map((lane) => lane.running));
  }

  async #run(key: string, lane: Lane<Item, Result>): Promise<void> {
    // The rest of this turn of the event loop joins the first transaction (a task's events are made together).
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (lane.waiting.length > 0) {
      const batch = lane.waiting.splice(0, MAX_APPENDS_PER_TRANSACTION);
      let outcomes: Array<GroupCommitOutcome<Result>>;
      try {
        outcomes = await this.commit(
          key,
          batch.map((waiting) => waiting.item),
        );
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
        continue;
      }
      batch.forEach((waiting, index) => {
        const outcome = outcomes[index];
        if (outcome?.ok) waiting.resolve(outcome.value);
        else waiting.reject(outcome ? outcome.error : new Error('append lane returned no outcome'));
      });
    }
    this.#lanes.delete(key);
  }
}
