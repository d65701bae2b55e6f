// Cancelling an orphaned run races a resumer: the canceller's execution-end must not close the resumer's run.
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewStreamEvent } from '../../contracts/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { SqliteExecutionStore } from '../../store/index.js';
import { deadPid, startRunAs } from '../testing/recorded-runner.js';
import { cancelStoredRun } from './cancel-run.js';

let dataDir: string | undefined;
afterEach(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

describe('cancelStoredRun of an orphaned run', () => {
  it('does not end a run another process resumed between its read and its append', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'roma-cancel-'));
    const store = SqliteExecutionStore.open({ dataDir, synchronous: 'NORMAL' });
    const resumer = SqliteExecutionStore.open({ dataDir, synchronous: 'NORMAL' });
    try {
      const executionId = 'orphan';
      await startRunAs(store, executionId, { pid: deadPid() });
      // Another process takes the run over right after the canceller read the log for its totals.
      let requested = false;
      let tookOver = false;
      const racing: ExecutionStore = new Proxy(store, {
        get(target, property) {
          if (property === 'append') {
            return async (event: NewStreamEvent, options?: Parameters<ExecutionStore['append']>[1]) => {
              const stored = await target.append(event, options);
              if (event.type === 'execution-cancel-requested') requested = true;
              return stored;
            };
          }
          if (property === 'readEvents') {
            return async (...args: Parameters<ExecutionStore['readEvents']>) => {
              const events = await target.readEvents(...args);
              if (requested && !tookOver) {
                tookOver = true;
                await resumer.append(
                  {
                    type: 'execution-resume',
                    executionId,
                    timestamp: new Date().toISOString(),
                    fromSeq: events.at(-1)?.seq ?? 0,
                    pid: process.pid,
                    hostname: hostname(),
                  },
                  { ifLastSeq: events.at(-1)?.seq ?? 0 },
                );
              }
              return events;
            };
          }
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const result = await cancelStoredRun(racing, executionId, { reason: 'test', waitMs: 0 });
      expect(tookOver).toBe(true);
      expect(result).toMatchObject({ outcome: 'requested', status: 'RUNNING' });
      expect(result.message).toContain('taken over');
      const events = await store.readEvents(executionId);
      expect(events.map((event) => event.type)).toEqual([
        'execution-start',
        'execution-cancel-requested',
        'execution-resume',
      ]);
      expect((await store.getExecution(executionId))?.status).toBe('RUNNING');
    } finally {
      await store.close();
      await resumer.close();
    }
  });
});
