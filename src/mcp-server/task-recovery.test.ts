// Finding a task again from its run's log: only runs started as tasks, only within their lifetime, and any id a
// client sends is answered "not found" at worst.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyUsage } from '../contracts/index.js';
import { SqliteExecutionStore } from '../store/index.js';
import { recoverSolveTask, refreshRecoveredProgress, TASK_TTL_METADATA_KEY } from './task-recovery.js';
import { createSolveTaskRegistry } from './task-registry.js';

let store: SqliteExecutionStore;
beforeEach(() => {
  store = SqliteExecutionStore.open({ filePath: ':memory:' });
});
afterEach(async () => {
  await store.close();
});

const STARTED_AT = Date.parse('2026-11-27T10:00:00.000Z');

async function run(id: string, metadata: Record<string, string> | undefined): Promise<void> {
  await store.createExecution({ id, goal: 'g' });
  await store.append({
    type: 'execution-start',
    executionId: id,
    timestamp: new Date(STARTED_AT).toISOString(),
    goal: 'g',
    rootTaskId: 'root',
    options: metadata ? { metadata } : {},
  });
}

const at = (ms: number) => createSolveTaskRegistry({ now: () => ms });

describe('recoverSolveTask', () => {
  it('finds a task run within its lifetime, with its owner, and not after it', async () => {
    await run('task-run', { [TASK_TTL_METADATA_KEY]: '60000', owner: 'tenant-a' });
    const found = await recoverSolveTask(store, at(STARTED_AT + 59_999), 'task-run');
    expect(found).toMatchObject({
      taskId: 'task-run',
      executionId: 'task-run',
      owner: 'tenant-a',
      createdAtMs: STARTED_AT,
      ttlMs: 60_000,
      ended: false,
      recovered: true,
    });
    expect(await recoverSolveTask(store, at(STARTED_AT + 60_000), 'task-run')).toBeUndefined();
  });

  it('does not make a task of a run that was not one, or whose lifetime is not a positive number', async () => {
    await run('plain', { owner: 'tenant-a' });
    await run('no-metadata', undefined);
    await run('bad-ttl', { [TASK_TTL_METADATA_KEY]: 'soon' });
    await run('zero-ttl', { [TASK_TTL_METADATA_KEY]: '0' });
    for (const id of ['plain', 'no-metadata', 'bad-ttl', 'zero-ttl', 'missing'])
      expect(await recoverSolveTask(store, at(STARTED_AT), id)).toBeUndefined();
  });

  it('counts progress from the log, reading only what is new each time', async () => {
    await run('progress', { [TASK_TTL_METADATA_KEY]: '60000' });
    const event = (type: 'task-start' | 'task-end', taskId: string) =>
      type === 'task-start'
        ? store.append({
            type,
            executionId: 'progress',
            timestamp: new Date().toISOString(),
            taskId,
            parentId: null,
            goal: 'g',
            depth: 0,
            maxDepth: 1,
            taskType: 'THINK',
            dependencies: [],
          })
        : store.append({
            type,
            executionId: 'progress',
            timestamp: new Date().toISOString(),
            taskId,
            status: 'COMPLETED',
            result: 'done',
            error: null,
            usage: emptyUsage(),
          });
    await event('task-start', 'root');
    const record = await recoverSolveTask(store, at(STARTED_AT), 'progress');
    expect(record?.progress).toEqual({ finished: 0, tasks: 1 });
    await event('task-end', 'root');
    await refreshRecoveredProgress(store, record!);
    await refreshRecoveredProgress(store, record!);
    expect(record?.progress).toEqual({ finished: 1, tasks: 1 });
  });

  it('answers any id a client sends with a task or nothing, never an error (fuzz)', async () => {
    await run('real', { [TASK_TTL_METADATA_KEY]: '60000' });
    const registry = at(STARTED_AT);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 50 }),
          fc.constantFrom("real' OR '1'='1", 'real\u0000', '../real', 'REAL', 'x'.repeat(10_000)),
        ),
        async (id) => {
          const found = await recoverSolveTask(store, registry, id);
          expect(found === undefined || found.taskId === 'real').toBe(true);
          if (id !== 'real') expect(found).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
    expect((await recoverSolveTask(store, registry, 'real'))?.taskId).toBe('real');
  });
});
