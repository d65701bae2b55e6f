// Two resumers of one crashed run, on real PostgreSQL and on SQLite: exactly one takes it over, the other gets CONFLICT.
import { afterEach, describe, expect, it } from 'vitest';
import type { NewStreamEvent, RomaError, StreamEvent } from '../../contracts/index.js';
import { scriptedTreeRules } from '../../dev/scripted-model/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { PostgresExecutionStore, SqliteExecutionStore } from '../../store/index.js';
import { dropTestSchema, TEST_DATABASE_URL, uniqueTestName } from '../../store/testing/test-database.js';
import type { EngineKit } from '../testing/engine-test-kit.js';
import { createEngineKit, eventsOfType, requestsAbout } from '../testing/engine-test-kit.js';
import { startExecution, startResume } from './execution.js';

const GOAL = 'Compare two rivers';
const TREE = {
  goal: GOAL,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'a', goal: 'Describe the first river', taskType: 'RETRIEVE' as const, dependencies: [] },
        { id: 'b', goal: 'Describe the second river', taskType: 'RETRIEVE' as const, dependencies: [] },
        { id: 'c', goal: 'Contrast both rivers', taskType: 'WRITE' as const, dependencies: ['a', 'b'] },
      ],
      result: 'RIVERS COMPARED',
    },
    'Describe the first river': { result: 'FIRST RIVER IS LONG' },
    'Describe the second river': { result: 'SECOND RIVER IS WIDE', latencyMs: 200 },
    'Contrast both rivers': { result: 'LONG VERSUS WIDE' },
  },
};

interface Backend {
  name: string;
  /** A new connection to the same data, as another process would open. */
  open(): Promise<ExecutionStore>;
  cleanup(): Promise<void>;
}

async function postgresBackend(): Promise<Backend> {
  const schema = uniqueTestName();
  return {
    name: 'PostgreSQL',
    open: () => PostgresExecutionStore.open({ connectionString: TEST_DATABASE_URL, schema }),
    cleanup: () => dropTestSchema(schema),
  };
}

/** The store as a process sees it until it dies: after `dieAfter` matches, every append fails. */
function dyingStore(store: ExecutionStore, dieAfter: (event: NewStreamEvent) => boolean): ExecutionStore {
  let dead = false;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') {
        return async (event: NewStreamEvent, options?: Parameters<ExecutionStore['append']>[1]) => {
          if (dead) throw new Error('the process running this run died');
          const stored = await target.append(event, options);
          if (dieAfter(event)) dead = true;
          return stored;
        };
      }
      const value = Reflect.get(target, property, receiver);
      // Bound to the real store: its private fields are not reachable through the proxy.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

let kit: EngineKit | undefined;
const opened: ExecutionStore[] = [];
let backend: Backend | undefined;
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  await backend?.cleanup();
  backend = undefined;
  await kit?.close();
  kit = undefined;
});

describe.each([
  ['PostgreSQL', postgresBackend],
  [
    'SQLite',
    async (): Promise<Backend> => {
      const probe = await createEngineKit([]);
      const dataDir = probe.dataDir;
      await probe.store.close();
      await probe.server.close();
      return {
        name: 'SQLite',
        open: async () => SqliteExecutionStore.open({ dataDir }),
        cleanup: async () => {
          const { rmSync } = await import('node:fs');
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  ],
] as const)('resuming a crashed run twice at once (%s)', (_name, createBackend) => {
  it('lets exactly one resumer take the run over; the other gets CONFLICT and runs nothing', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    backend = await createBackend();
    const open = async () => {
      const store = await backend!.open();
      opened.push(store);
      return store;
    };

    // The first process dies once the first river is described: its log stays RUNNING with no end.
    const crashed = startExecution(
      {
        ...kit.deps(),
        store: dyingStore(await open(), (event) => event.type === 'task-end' && event.taskId === 'root.1'),
      },
      { goal: GOAL },
    );
    await expect(crashed.done).rejects.toBeDefined();
    const observer = await open();
    const id = crashed.executionId;
    expect((await observer.getExecution(id))?.status).toBe('RUNNING');

    const before = kit.server.requests.length;
    const resumers = [await open(), await open()].map((store) => startResume(store, id, kit!.deps()));
    const settled = await Promise.allSettled(resumers.map((handle) => handle.done));

    const completed = settled.filter((each) => each.status === 'fulfilled');
    const refused = settled.filter((each): each is PromiseRejectedResult => each.status === 'rejected');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.value).toMatchObject({ status: 'COMPLETED', result: 'RIVERS COMPARED' });
    expect(refused).toHaveLength(1);
    expect((refused[0]!.reason as RomaError).code).toBe('CONFLICT');

    // Every remaining model request was answered once, not once per resumer.
    const asked = (marker: string, goal: string) =>
      requestsAbout(kit!.server.requests.slice(before), marker, goal).length;
    expect(asked('ROMA executor', 'Describe the second river')).toBe(1);
    expect(asked('ROMA executor', 'Contrast both rivers')).toBe(1);
    expect(asked('ROMA aggregator', GOAL)).toBe(1);

    const events: StreamEvent[] = await observer.readEvents(id);
    expect(eventsOfType(events, 'execution-resume')).toHaveLength(1);
    expect(eventsOfType(events, 'execution-end')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'execution-end', status: 'COMPLETED' });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  });
});
