// The cancel watcher finds a request another process stored, asks the store for requests only, and each poll
// starts where this process's own stored events end, so its cost does not grow with the run's log.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReadEventsOptions } from '../../store/execution-store.js';
import { SqliteExecutionStore } from '../../store/index.js';
import { warningEvent } from '../../store/testing/test-events.js';
import { until } from '../testing/wait.js';
import { watchForCancelRequest } from './cancel-watcher.js';

let store: SqliteExecutionStore;
let stop: AbortController;
beforeEach(async () => {
  store = SqliteExecutionStore.open({ filePath: ':memory:' });
  stop = new AbortController();
  await store.createExecution({ id: 'run', goal: 'g' });
});
afterEach(async () => {
  stop.abort();
  await store.close();
});

/** Watches the run every 20 ms; the messages of the requests it hears. */
function watch(storedThrough: () => number): string[] {
  const heard: string[] = [];
  watchForCancelRequest({
    store,
    executionId: 'run',
    afterSeq: 0,
    storedThrough,
    intervalMs: 20,
    onCancel: (message) => heard.push(message),
    signal: stop.signal,
  });
  return heard;
}

/** A cancel request, as another process (`roma runs cancel`) stores it. */
function requestCancel(reason: string) {
  return store.append({
    type: 'execution-cancel-requested',
    executionId: 'run',
    timestamp: new Date().toISOString(),
    reason,
  });
}

describe('watchForCancelRequest', () => {
  it('reads requests only, from where the run’s own stored events end, and hears a request stored later', async () => {
    const reads: ReadEventsOptions[] = [];
    const readEvents = store.readEvents.bind(store);
    store.readEvents = async (id, options = {}) => {
      reads.push(options);
      return readEvents(id, options);
    };
    let storedThrough = 0;
    for (let index = 0; index < 40; index += 1)
      storedThrough = (await store.append(warningEvent('run', `own event ${index}`))).seq;
    const heard = watch(() => storedThrough);
    await until(async () => reads.length >= 2, 'two polls');
    expect(reads.every((read) => read.types?.join() === 'execution-cancel-requested')).toBe(true);
    expect(reads[0]?.afterSeq).toBe(0);
    // The second poll starts past the 40 events this process stored: they are not read again.
    expect(reads[1]?.afterSeq).toBe(40);
    expect(heard).toEqual([]);

    await requestCancel('from another process');
    await until(async () => heard.length > 0, 'the request heard');
    expect(heard).toEqual(['cancelled by request: from another process']);
  });

  it('hears a request stored before this process’s latest own event (it is below the watermark)', async () => {
    await store.append(warningEvent('run', 'own'));
    await requestCancel('');
    const storedThrough = (await store.append(warningEvent('run', 'own, after the request'))).seq;
    const heard = watch(() => storedThrough);
    await until(async () => heard.length > 0, 'the request heard');
    expect(heard).toEqual(['cancelled by request']);
  });
});
