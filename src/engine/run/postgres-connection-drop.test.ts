// A run on PostgreSQL whose connections are dropped: terminated backends are survived (no crash, the run
// completes, no event doubled); an outage longer than the retries ends the run, and resume finishes it.
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../contracts/index.js';
import { scriptedTreeRules } from '../../dev/scripted-model/index.js';
import { PostgresExecutionStore } from '../../store/index.js';
import { CuttablePostgresProxy, terminateBackends } from '../../store/testing/postgres-faults-kit.js';
import { dropTestSchema, TEST_DATABASE_URL, uniqueTestName } from '../../store/testing/test-database.js';
import type { EngineKit } from '../testing/engine-test-kit.js';
import { createEngineKit, eventsOfType } from '../testing/engine-test-kit.js';
import { startExecution, startResume } from './execution.js';

const GOAL = 'Compare two lakes';
const TREE = {
  goal: GOAL,
  latencyMs: 30,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'a', goal: 'Describe the first lake', taskType: 'RETRIEVE' as const, dependencies: [] },
        { id: 'b', goal: 'Describe the second lake', taskType: 'RETRIEVE' as const, dependencies: [] },
        { id: 'c', goal: 'Contrast both lakes', taskType: 'WRITE' as const, dependencies: ['a', 'b'] },
      ],
      result: 'LAKES COMPARED',
    },
    'Describe the first lake': { result: 'FIRST LAKE IS DEEP' },
    'Describe the second lake': { result: 'SECOND LAKE IS SHALLOW' },
    'Contrast both lakes': { result: 'DEEP VERSUS SHALLOW' },
  },
};

let kit: EngineKit | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await kit?.close();
  kit = undefined;
});

async function openStore(
  schema: string,
  applicationName: string,
  connectionString = TEST_DATABASE_URL,
  attempts = 4,
) {
  const store = await PostgresExecutionStore.open({
    connectionString,
    schema,
    applicationName,
    connectionTimeoutMs: 2_000,
    retry: { attempts, initialDelayMs: 20, maxDelayMs: 100 },
  });
  cleanups.push(() => store.close());
  return store;
}

function newSchema(): string {
  const schema = uniqueTestName();
  cleanups.push(async () => {
    await dropTestSchema(schema);
  });
  return schema;
}

function expectWellFormed(events: StreamEvent[]): void {
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  // No event doubled by a retried append: each task ends once per run segment here.
  const ends = eventsOfType(events, 'task-end').map((event) => event.taskId);
  expect(new Set(ends).size).toBe(ends.length);
}

describe('engine on PostgreSQL: dropped connections', () => {
  it('completes a run whose backends are terminated again and again while it runs', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const applicationName = uniqueTestName(8);
    const store = await openStore(newSchema(), applicationName);
    let terminated = 0;
    const handle = startExecution(
      { ...kit.deps(), store },
      {
        goal: GOAL,
        // Terminate the run's connections at every task-end: mid-run, with appends in flight.
        onEvent: (event) => {
          if (event.type === 'task-end' || event.type === 'task-planned') {
            void terminateBackends(applicationName).then((count) => {
              terminated += count;
            });
          }
        },
      },
    );
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'LAKES COMPARED' });
    expect(terminated).toBeGreaterThan(0);
    const events = await store.readEvents(outcome.executionId);
    expectWellFormed(events);
    expect(events.at(-1)).toMatchObject({ type: 'execution-end', status: 'COMPLETED' });
    expect((await store.getExecution(outcome.executionId))?.status).toBe('COMPLETED');
  }, 60_000);

  it('ends the run when PostgreSQL stays away longer than the retries; resume then finishes it', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const proxy = new CuttablePostgresProxy();
    await proxy.open();
    cleanups.push(() => proxy.cut());
    const schema = newSchema();
    const store = await openStore(schema, uniqueTestName(8), proxy.url());
    const handle = startExecution(
      { ...kit.deps(), store, cancelPollIntervalMs: 0 },
      {
        goal: GOAL,
        onEvent: (event) => {
          if (event.type === 'task-end' && event.taskId === 'root.1') void proxy.cut();
        },
      },
    );
    // The process goes on (no unhandled 'error'); the run's end says why when it could still be recorded.
    const ended = await handle.done.then(
      (outcome) => ({ outcome, error: null }),
      (error: unknown) => ({ outcome: null, error: error as { code?: string } }),
    );
    if (ended.outcome) {
      expect(ended.outcome.status).toBe('FAILED');
      expect(JSON.stringify(ended.outcome.error)).toContain('STORE_FAILED');
    } else {
      expect(ended.error?.code).toBe('STORE_FAILED');
    }

    await proxy.open();
    const direct = await openStore(schema, uniqueTestName(8));
    const before = await direct.readEvents(handle.executionId);
    expect(eventsOfType(before, 'task-end').some((event) => event.taskId === 'root.1')).toBe(true);
    const resumed = await startResume(direct, handle.executionId, kit.deps()).done;
    expect(resumed).toMatchObject({ status: 'COMPLETED', result: 'LAKES COMPARED' });
    const events = await direct.readEvents(handle.executionId);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(eventsOfType(events, 'execution-resume')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'execution-end', status: 'COMPLETED' });
  }, 60_000);
  it('records the failure as the run end when PostgreSQL is back within the end retries; resume finishes it', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const proxy = new CuttablePostgresProxy();
    await proxy.open();
    cleanups.push(() => proxy.cut());
    const schema = newSchema();
    const store = await openStore(schema, uniqueTestName(8), proxy.url(), 2);
    let restored: Promise<void> | undefined;
    const handle = startExecution(
      { ...kit.deps(), store, cancelPollIntervalMs: 0 },
      {
        goal: GOAL,
        onEvent: (event) => {
          if (event.type === 'task-end' && event.taskId === 'root.1' && !restored) {
            // Away for longer than an append's retries (2 tries, ~20 ms), shorter than the end's (1 s, 3 s).
            restored = proxy
              .cut()
              .then(() => new Promise((resolve) => setTimeout(resolve, 500)).then(() => proxy.open()));
          }
        },
      },
    );
    await handle.done.catch(() => undefined);
    await restored;
    const direct = await openStore(schema, uniqueTestName(8));
    const events = await direct.readEvents(handle.executionId);
    const end = events.at(-1);
    expect(end).toMatchObject({ type: 'execution-end', status: 'FAILED' });
    expect(JSON.stringify(end)).toContain('STORE_FAILED');
    expect((await direct.getExecution(handle.executionId))?.status).toBe('FAILED');
    const resumed = await startResume(direct, handle.executionId, kit.deps()).done;
    expect(resumed).toMatchObject({ status: 'COMPLETED', result: 'LAKES COMPARED' });
  }, 60_000);
});
