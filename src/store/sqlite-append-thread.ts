// The store's side of the append worker: hands it one batch at a time and turns its replies into outcomes.
import { Worker } from 'node:worker_threads';
import { RomaError } from '../contracts/index.js';
import {
  type AppendWorkerData,
  type FromAppendWorker,
  receiveFailure,
  receiveOutcomes,
  type ToAppendWorker,
} from './sqlite-append-protocol.js';
import { appendWorkerUrl } from './sqlite-append-worker-url.js';
import type { CommittedBatch, PendingAppend } from './sqlite-append-writer.js';

interface InFlight {
  resolve: (batch: CommittedBatch & { commitMs: number }) => void;
  reject: (error: unknown) => void;
}

/**
 * Started at the first append (a process that only reads never starts it). Referenced only while a batch is in
 * flight, so an idle store never keeps a process alive, and an awaited append always gets its reply.
 */
export class SqliteAppendThread {
  #worker: Worker | undefined;
  #inFlight: InFlight | undefined;
  #closed: Promise<void> | undefined;

  constructor(private readonly settings: AppendWorkerData) {}

  /** Commits one batch in the worker; rejects with the transaction's error when it failed as a whole. */
  commit(batch: readonly PendingAppend[]): Promise<CommittedBatch & { commitMs: number }> {
    if (this.#inFlight) throw new RomaError('INTERNAL', 'the append worker takes one batch at a time');
    const worker = this.#start();
    worker.ref();
    return new Promise((resolve, reject) => {
      this.#inFlight = { resolve, reject };
      this.#send(worker, { kind: 'commit', batch: [...batch] });
    });
  }

  /** Closes the worker's connection and ends the thread (after the batch in flight, which the store awaits). */
  close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return Promise.resolve();
    this.#closed ??= new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.ref();
      this.#send(worker, { kind: 'close' });
    });
    return this.#closed;
  }

  #send(worker: Worker, message: ToAppendWorker): void {
    worker.postMessage(message);
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(appendWorkerUrl(), {
      workerData: this.settings,
      // The worker is plain JavaScript: the parent's loaders (tsx, vitest) would only slow its start.
      execArgv: [],
    });
    worker.on('message', (message: FromAppendWorker) => {
      if (message.kind === 'closed') return;
      const inFlight = this.#inFlight;
      this.#inFlight = undefined;
      worker.unref();
      if (!inFlight) return;
      if (message.kind === 'committed') {
        inFlight.resolve({
          outcomes: receiveOutcomes(message.outcomes),
          appendedTo: message.appendedTo,
          commitMs: message.commitMs,
        });
      } else {
        inFlight.reject(receiveFailure(message.failure));
      }
    });
    const fail = (error: Error) => {
      // A worker that died (or never started) fails the batch it held; the next batch starts a new one.
      if (this.#worker === worker) this.#worker = undefined;
      const inFlight = this.#inFlight;
      this.#inFlight = undefined;
      inFlight?.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQLite append worker exited (code ${code})`)));
    this.#worker = worker;
    return worker;
  }
}
