// The stores' side of the append worker: one worker thread per process, a connection in it per store, one batch
// in flight per store; replies become outcomes.
import { Worker } from 'node:worker_threads';
import { RomaError } from '../contracts/index.js';
import {
  type AppendConnectionSettings,
  type FromAppendWorker,
  receiveFailure,
  receiveOutcomes,
  type ToAppendWorker,
} from './sqlite-append-protocol.js';
import { appendWorkerUrl } from './sqlite-append-worker-url.js';
import type { CommittedBatch, PendingAppend } from './sqlite-append-writer.js';

interface Waiter {
  resolve: (message: FromAppendWorker) => void;
  reject: (error: unknown) => void;
}

/**
 * The process's append worker. Started once (a thread start and its modules cost ~100 ms, which every store
 * opened in the process would otherwise pay at its first append), and referenced only while some store waits
 * for a reply, so it never keeps a process alive, and an awaited append always gets its reply.
 */
class AppendWorkerHost {
  #worker: Worker | undefined;
  /** Bumped when a worker dies: stores reopen their connection in the next one. */
  generation = 0;
  readonly #waiting = new Map<number, Waiter>();
  #nextConnection = 1;

  newConnection(): number {
    const connection = this.#nextConnection;
    this.#nextConnection += 1;
    return connection;
  }

  send(message: ToAppendWorker): void {
    this.#start().postMessage(message);
  }

  /** Sends `message` and resolves with the worker's reply for its connection (one at a time per connection). */
  request(message: Exclude<ToAppendWorker, { kind: 'open' }>): Promise<FromAppendWorker> {
    if (this.#waiting.has(message.connection))
      throw new RomaError('INTERNAL', 'the append worker takes one batch at a time per store');
    const worker = this.#start();
    return new Promise((resolve, reject) => {
      // Posted first: a batch that cannot be posted (a value that cannot be cloned) leaves no waiter behind to
      // refuse the store's later batches and keep the worker referenced.
      worker.postMessage(message);
      this.#waiting.set(message.connection, { resolve, reject });
      worker.ref();
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(appendWorkerUrl(), {
      // The worker is plain JavaScript: the parent's loaders (tsx, vitest) would only slow its start.
      execArgv: [],
    });
    worker.unref();
    worker.on('message', (message: FromAppendWorker) => {
      const waiter = this.#waiting.get(message.connection);
      this.#waiting.delete(message.connection);
      if (this.#waiting.size === 0) worker.unref();
      waiter?.resolve(message);
    });
    const fail = (why: string, cause?: Error) => {
      // A worker that died (or never started) fails the batches it held; the next request starts a new one.
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.generation += 1;
      const waiting = [...this.#waiting.values()];
      this.#waiting.clear();
      for (const waiter of waiting) waiter.reject(workerDied(why, cause));
    };
    worker.on('error', (error) => fail(`failed: ${error.message}`, error));
    worker.on('exit', (code) => fail(`exited (code ${code})`));
    this.#worker = worker;
    return worker;
  }
}

/**
 * A batch the worker held when it died may have been committed (the thread can die between COMMIT and its
 * reply), so trying it again could store it twice: not retryable, and the log says what was kept.
 */
function workerDied(why: string, cause: Error | undefined): RomaError {
  return new RomaError(
    'STORE_FAILED',
    `the SQLite append worker ${why} while committing this append: it may or may not have been stored`,
    {
      retryable: false,
      fix: "read the run's log (`roma runs show`) to see what was stored; `roma runs resume` continues the run",
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

let host: AppendWorkerHost | undefined;

/** One store's connection in the append worker. */
export class SqliteAppendThread {
  readonly #host: AppendWorkerHost;
  readonly #connection: number;
  #openedIn: number | undefined;

  /** Opens the store's connection in the worker at once (starting the worker), so the first append finds it ready. */
  constructor(private readonly settings: AppendConnectionSettings) {
    host ??= new AppendWorkerHost();
    this.#host = host;
    this.#connection = this.#host.newConnection();
    this.#open();
  }

  /** Commits one batch in the worker; rejects with the transaction's error when it failed as a whole. */
  async commit(batch: readonly PendingAppend[]): Promise<CommittedBatch & { commitMs: number }> {
    this.#open();
    const reply = await this.#host.request({
      kind: 'commit',
      connection: this.#connection,
      batch: [...batch],
    });
    if (reply.kind === 'failed') throw receiveFailure(reply.failure);
    if (reply.kind !== 'committed') throw new RomaError('INTERNAL', `append worker replied ${reply.kind}`);
    return {
      outcomes: receiveOutcomes(reply.outcomes),
      appendedTo: reply.appendedTo,
      commitMs: reply.commitMs,
    };
  }

  /** Closes the store's connection in the worker (after the batch in flight, which the store awaits first). */
  async close(): Promise<void> {
    if (this.#openedIn !== this.#host.generation) return;
    await this.#host.request({ kind: 'close', connection: this.#connection }).catch(() => undefined);
  }

  #open(): void {
    if (this.#openedIn === this.#host.generation) return;
    // Messages to the worker are handled in order: the open comes before any batch sent after it.
    this.#host.send({ kind: 'open', connection: this.#connection, settings: this.settings });
    this.#openedIn = this.#host.generation;
  }
}
