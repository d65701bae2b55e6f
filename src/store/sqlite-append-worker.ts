// The append worker: commits the SQLite stores' appends on connections of its own, so the fsync at each commit
// waits in this thread and never blocks the event loop of the process. One per process, one connection per
// store. From source it is bundled with its few modules of ours (see sqlite-append-worker-url.ts).
import { parentPort } from 'node:worker_threads';
import { isRomaError, RomaError } from '../contracts/index.js';
import {
  type FromAppendWorker,
  postFailure,
  postRomaError,
  type ToAppendWorker,
} from './sqlite-append-protocol.js';
import { SqliteAppendWriter } from './sqlite-append-writer.js';
import { connectSqlite } from './sqlite-connection.js';

const port = parentPort!;
const connections = new Map<number, { close(): void; writer: SqliteAppendWriter } | { failure: unknown }>();

function reply(message: FromAppendWorker): void {
  port.postMessage(message);
}

function commit(connection: number, batch: Extract<ToAppendWorker, { kind: 'commit' }>['batch']): void {
  const startedMs = performance.now();
  try {
    const opened = connections.get(connection);
    if (!opened) throw new Error('the append worker has no connection for this store');
    // A connection that could not be opened fails each batch with why.
    if ('failure' in opened) throw opened.failure;
    const committed = opened.writer.commit(batch);
    reply({
      kind: 'committed',
      connection,
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
    reply({
      kind: 'failed',
      connection,
      failure: postFailure(error),
      commitMs: performance.now() - startedMs,
    });
  }
}

port.on('message', (message: ToAppendWorker) => {
  switch (message.kind) {
    case 'open':
      try {
        const database = connectSqlite(message.settings.filePath, message.settings);
        connections.set(message.connection, {
          close: () => database.close(),
          writer: new SqliteAppendWriter(database),
        });
      } catch (error) {
        connections.set(message.connection, { failure: error });
      }
      return;
    case 'commit':
      commit(message.connection, message.batch);
      return;
    case 'close': {
      const opened = connections.get(message.connection);
      connections.delete(message.connection);
      if (opened && 'close' in opened) opened.close();
      reply({ kind: 'closed', connection: message.connection });
      return;
    }
  }
});
