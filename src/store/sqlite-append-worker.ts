// The append worker: commits the SQLite store's appends on its own connection, so the fsync at each commit
// waits in this thread and never blocks the event loop of the process. From source it is bundled with its few
// modules of ours (see sqlite-append-worker-url.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { isRomaError, RomaError } from '../contracts/index.js';
import {
  type AppendWorkerData,
  type FromAppendWorker,
  postFailure,
  postRomaError,
  type ToAppendWorker,
} from './sqlite-append-protocol.js';
import { SqliteAppendWriter } from './sqlite-append-writer.js';
import { connectSqlite } from './sqlite-connection.js';

const port = parentPort!;
const settings = workerData as AppendWorkerData;
const database = connectSqlite(settings.filePath, settings);
const writer = new SqliteAppendWriter(database);

function reply(message: FromAppendWorker): void {
  port.postMessage(message);
}

port.on('message', (message: ToAppendWorker) => {
  if (message.kind === 'close') {
    database.close();
    reply({ kind: 'closed' });
    port.close();
    return;
  }
  const startedMs = performance.now();
  try {
    const committed = writer.commit(message.batch);
    reply({
      kind: 'committed',
      outcomes: committed.outcomes.map((outcome) =>
        outcome.ok
          ? outcome
          : {
              ok: false,
              error: postRomaError(
                isRomaError(outcome.error)
                  ? outcome.error
                  : new RomaError('STORE_FAILED', String(outcome.error)),
              ),
            },
      ),
      appendedTo: committed.appendedTo,
      commitMs: performance.now() - startedMs,
    });
  } catch (error) {
    reply({ kind: 'failed', failure: postFailure(error), commitMs: performance.now() - startedMs });
  }
});
