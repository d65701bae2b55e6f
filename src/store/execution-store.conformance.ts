// The one behaviour suite every ExecutionStore must pass (SQLite and PostgreSQL run it against real storage).
import { randomUUID } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionStatus, NewStreamEvent, RomaError, StreamEvent } from '../contracts/index.js';
import type { ExecutionStore } from './execution-store.js';
import { caught } from './testing/caught-error.js';
import { warningEvent } from './testing/test-events.js';

/** Backing storage for one test: each `open()` is a separate connection to the same data, as another process. */
interface ExecutionStoreHarness {
  open(): Promise<ExecutionStore>;
  /** Removes the storage (temp dir, schema) after the stores are closed. */
  cleanup(): Promise<void>;
}

const FOLLOW_BOUND_MS = 10_000;

function timestamp(): string {
  return new Date().toISOString();
}

function executionStart(executionId: string, goal = 'write a haiku'): NewStreamEvent {
  return {
    type: 'execution-start',
    executionId,
    timestamp: timestamp(),
    goal,
    rootTaskId: 'root',
    options: {},
  };
}

function taskStart(executionId: string, taskId: string): NewStreamEvent {
  return {
    type: 'task-start',
    executionId,
    timestamp: timestamp(),
    taskId,
    parentId: taskId === 'root' ? null : 'root',
    goal: `goal of ${taskId}`,
    depth: taskId === 'root' ? 0 : 1,
    maxDepth: 2,
    taskType: 'THINK',
    dependencies: [],
  };
}

function llmCall(
  executionId: string,
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number; costUsd: number },
): NewStreamEvent {
  return {
    type: 'llm-call',
    executionId,
    timestamp: timestamp(),
    taskId: 'root',
    module: 'executor',
    model: 'openai:scripted',
    ...usage,
    cacheHit: false,
    durationMs: 3,
    ok: true,
  };
}

function executionEnd(
  executionId: string,
  status: Exclude<ExecutionStatus, 'RUNNING'>,
  result: string | null,
) {
  return {
    type: 'execution-end',
    executionId,
    timestamp: timestamp(),
    status,
    reason: null,
    result,
    error: null,
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 },
    nodeCount: 0,
    durationMs: 12,
  } satisfies NewStreamEvent;
}

function newId(): string {
  return `run-${randomUUID()}`;
}

export function describeExecutionStoreConformance(
  name: string,
  createHarness: () => Promise<ExecutionStoreHarness>,
) {
  describe(`ExecutionStore conformance: ${name}`, () => {
    let harness: ExecutionStoreHarness;
    let store: ExecutionStore;
    const opened: ExecutionStore[] = [];

    async function openStore(): Promise<ExecutionStore> {
      const next = await harness.open();
      opened.push(next);
      return next;
    }

    beforeEach(async () => {
      harness = await createHarness();
      store = await openStore();
    });

    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
      await harness.cleanup();
    });

    it('creates an execution and reads it back; an unknown id is null', async () => {
      const id = newId();
      const created = await store.createExecution({ id, goal: 'write a haiku' });
      expect(created).toMatchObject({
        id,
        goal: 'write a haiku',
        status: 'RUNNING',
        lastSeq: 0,
        nodeCount: 0,
        result: null,
        usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 },
      });
      expect(await store.getExecution(id)).toEqual(created);
      expect(await store.getExecution(newId())).toBeNull();
    });

    it("keeps a run's last runner beat, aged by the store's clock and replaced by the next; none for an unknown run", async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'beat' });
      expect(await store.lastBeat(id)).toBeNull();
      await store.beat(id, { runnerId: 'runner-one', intervalMs: 10_000 });
      const first = await store.lastBeat(id);
      expect(first).toMatchObject({ runnerId: 'runner-one', intervalMs: 10_000 });
      expect(first!.ageMs).toBeGreaterThanOrEqual(0);
      expect(first!.ageMs).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 60));
      // Ages with time; another connection of the store reads the same beat.
      const other = await openStore();
      expect((await other.lastBeat(id))!.ageMs).toBeGreaterThanOrEqual(40);
      await other.beat(id, { runnerId: 'runner-two', intervalMs: 2_000 });
      expect(await store.lastBeat(id)).toMatchObject({ runnerId: 'runner-two', intervalMs: 2_000 });
      expect((await store.lastBeat(id))!.ageMs).toBeLessThan(40);
      // A beat for a run the store does not have writes nothing and is no error.
      const unknown = newId();
      await store.beat(unknown, { runnerId: 'runner-one', intervalMs: 1_000 });
      expect(await store.lastBeat(unknown)).toBeNull();
      expect(await store.getExecution(unknown)).toBeNull();
    });

    it('refuses a duplicate execution id with CONFLICT', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'first' });
      const error = await caught(store.createExecution({ id, goal: 'second' }));
      expect(error.code).toBe('CONFLICT');
      expect((await store.getExecution(id))?.goal).toBe('first');
    });

    it('lists executions newest first, filtered by status and limited', async () => {
      const ids = [newId(), newId(), newId()];
      for (const id of ids) await store.createExecution({ id, goal: `goal ${id}` });
      await store.append(executionEnd(ids[1]!, 'COMPLETED', 'done'));

      const all = await store.listExecutions();
      expect(all.map((execution) => execution.id)).toEqual([...ids].reverse());
      expect((await store.listExecutions({ limit: 2 })).map((execution) => execution.id)).toEqual([
        ids[2],
        ids[1],
      ]);
      expect((await store.listExecutions({ status: 'COMPLETED' })).map((execution) => execution.id)).toEqual([
        ids[1],
      ]);
      expect((await store.listExecutions({ status: 'RUNNING' })).map((execution) => execution.id)).toEqual([
        ids[2],
        ids[0],
      ]);
      expect(await store.listExecutions({ status: 'FAILED' })).toEqual([]);
    });

    it('numbers 50 concurrent appends 1..50 without gaps or repeats', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'parallel siblings' });
      const appended = await Promise.all(
        Array.from({ length: 50 }, (_, index) => store.append(warningEvent(id, `sibling ${index}`))),
      );
      const assigned = appended.map((event) => event.seq).sort((a, b) => a - b);
      expect(assigned).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
      const stored = await store.readEvents(id);
      expect(stored.map((event) => event.seq)).toEqual(assigned);
      expect(new Set(stored.map((event) => (event.type === 'warning' ? event.message : ''))).size).toBe(50);
      expect((await store.getExecution(id))?.lastSeq).toBe(50);
    });

    it('settles appends made together one by one: a refused one writes nothing and leaves the others', async () => {
      const id = newId();
      const ended = newId();
      await store.createExecution({ id, goal: 'appends in flight together' });
      await store.createExecution({ id: ended, goal: 'already ended' });
      await store.append(executionEnd(ended, 'COMPLETED', 'done'));
      const settled = await Promise.allSettled([
        store.append(warningEvent(id, 'first')),
        store.append(warningEvent(ended, 'after its end')),
        store.append(warningEvent(id, 'second'), { ifLastSeq: 0 }),
        store.append(warningEvent(newId(), 'unknown execution')),
        store.append(taskStart(id, 'root')),
        store.append(taskStart(id, 'root')),
        store.append(warningEvent(id, 'third')),
      ]);
      const codes = settled.map((each) =>
        each.status === 'fulfilled' ? 'ok' : (each.reason as RomaError).code,
      );
      // The refusals are the positive control: each store refuses them whatever order it commits in.
      expect(codes[1]).toBe('CONFLICT');
      expect(codes[3]).toBe('NOT_FOUND');
      const stored = await store.readEvents(id);
      const acknowledged = settled.flatMap((each) =>
        each.status === 'fulfilled' && each.value.executionId === id ? [each.value] : [],
      );
      expect(stored).toEqual([...acknowledged].sort((a, b) => a.seq - b.seq));
      expect(stored.map((event) => event.seq)).toEqual(stored.map((_, index) => index + 1));
      expect((await store.getExecution(id))?.nodeCount).toBe(1);
      expect((await store.getExecution(id))?.lastSeq).toBe(stored.length);
      expect((await store.getExecution(ended))?.lastSeq).toBe(1);
      if (store.appendsInCallOrder) {
        // Numbered in call order: 'second' expected an empty log, which 'first' had already filled.
        expect(codes).toEqual(['ok', 'CONFLICT', 'CONFLICT', 'NOT_FOUND', 'ok', 'ok', 'ok']);
        expect(stored.map((event) => (event.type === 'warning' ? event.message : event.type))).toEqual([
          'first',
          'task-start',
          'task-start',
          'third',
        ]);
      }
    });

    it('appends a group in one piece: consecutive seqs among appends made meanwhile, folded into the summary', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'a step and its model calls' });
      const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, costUsd: 0.5 };
      const [before, group, after] = await Promise.all([
        store.append(taskStart(id, 'root')),
        store.appendAll([llmCall(id, usage), llmCall(id, usage), warningEvent(id, 'step end')]),
        store.append(warningEvent(id, 'after')),
      ]);
      const groupSeqs = group.map((event) => event.seq);
      expect(groupSeqs).toEqual([groupSeqs[0]!, groupSeqs[0]! + 1, groupSeqs[0]! + 2]);
      const stored = await store.readEvents(id);
      expect(stored.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(stored.filter((event) => groupSeqs.includes(event.seq))).toEqual(group);
      if (store.appendsInCallOrder) {
        expect([before.seq, ...groupSeqs, after.seq]).toEqual([1, 2, 3, 4, 5]);
      }
      const summary = await store.getExecution(id);
      expect(summary?.usage).toEqual({ inputTokens: 20, outputTokens: 10, cachedInputTokens: 0, costUsd: 1 });
      expect(summary?.lastSeq).toBe(5);
      expect(await store.appendAll([])).toEqual([]);
    });

    it('refuses a whole group when one of its events is refused, and writes none of it', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'all or nothing' });
      const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, costUsd: 0.5 };
      // The warning after the group's own execution-end is refused (CONFLICT): the llm-call and the end go too.
      const settled = await Promise.allSettled([
        store.append(warningEvent(id, 'first')),
        store.appendAll([
          llmCall(id, usage),
          executionEnd(id, 'COMPLETED', 'done'),
          warningEvent(id, 'late'),
        ]),
        store.append(warningEvent(id, 'second')),
      ]);
      expect(settled[1]?.status).toBe('rejected');
      expect(((settled[1] as PromiseRejectedResult).reason as RomaError).code).toBe('CONFLICT');
      const stored = await store.readEvents(id);
      expect(stored.map((event) => (event.type === 'warning' ? event.message : event.type))).toEqual([
        'first',
        'second',
      ]);
      expect(await store.getExecution(id)).toMatchObject({
        status: 'RUNNING',
        lastSeq: 2,
        usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 },
      });
      // Positive control: the same group without its refused event is stored whole.
      const group = await store.appendAll([llmCall(id, usage), executionEnd(id, 'COMPLETED', 'done')]);
      expect(group.map((event) => event.seq)).toEqual([3, 4]);
      expect(await store.getExecution(id)).toMatchObject({ status: 'COMPLETED', lastSeq: 4 });
    });

    it('refuses a group naming two executions, or holding an invalid event, before writing any of it', async () => {
      const id = newId();
      const other = newId();
      await store.createExecution({ id, goal: 'one execution per group' });
      await store.createExecution({ id: other, goal: 'another' });
      const mixed = await caught(store.appendAll([warningEvent(id, 'mine'), warningEvent(other, 'theirs')]));
      expect(mixed.code).toBe('VALIDATION_FAILED');
      expect(mixed.field).toBe('events[1].executionId');
      const invalid = await caught(
        store.appendAll([
          warningEvent(id, 'valid'),
          { ...warningEvent(id, 'bad'), type: 'nonsense' } as never,
        ]),
      );
      expect(invalid.code).toBe('VALIDATION_FAILED');
      expect(await store.readEvents(id)).toEqual([]);
      expect(await store.readEvents(other)).toEqual([]);
    });

    it('commits the appends it accepted before it closes', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'close while appending' });
      const appends = Array.from({ length: 5 }, (_, index) =>
        store.append(warningEvent(id, `event ${index}`)),
      );
      await store.close();
      const settled = await Promise.allSettled(appends);
      const acknowledged = settled.filter((each) => each.status === 'fulfilled').length;
      const reopened = await openStore();
      // Whatever was acknowledged is stored (a store that refused them at close stored none).
      expect((await reopened.readEvents(id)).length).toBe(acknowledged);
      if (store.appendsInCallOrder) expect(acknowledged).toBe(5);
    });

    it('keeps seqs gap-free when two connections append to one execution at once', async () => {
      const other = await openStore();
      const id = newId();
      await store.createExecution({ id, goal: 'two writers' });
      await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          (index % 2 === 0 ? store : other).append(warningEvent(id, `writer ${index % 2} event ${index}`)),
        ),
      );
      const seqs = (await other.readEvents(id)).map((event) => event.seq);
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    });

    it('folds status, usage, distinct node count and result into the summary', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'fold me' });
      await store.append(executionStart(id, 'fold me'));
      await store.append(taskStart(id, 'root'));
      await store.append(taskStart(id, 'child-1'));
      await store.append(
        llmCall(id, { inputTokens: 100, outputTokens: 20, cachedInputTokens: 10, costUsd: 0.25 }),
      );
      await store.append(
        llmCall(id, { inputTokens: 50, outputTokens: 5, cachedInputTokens: 0, costUsd: 0.5 }),
      );
      await store.append(executionEnd(id, 'CANCELLED', null));
      expect((await store.getExecution(id))?.status).toBe('CANCELLED');

      // A resume restarts a task that was in flight: it is still one node.
      await store.append({ type: 'execution-resume', executionId: id, timestamp: timestamp(), fromSeq: 6 });
      expect((await store.getExecution(id))?.status).toBe('RUNNING');
      await store.append(taskStart(id, 'child-1'));
      await store.append(taskStart(id, 'child-2'));
      const end = await store.append(executionEnd(id, 'COMPLETED', 'the answer'));

      const summary = await store.getExecution(id);
      expect(summary).toMatchObject({
        status: 'COMPLETED',
        result: 'the answer',
        nodeCount: 3,
        lastSeq: 10,
        usage: { inputTokens: 150, outputTokens: 25, cachedInputTokens: 10, costUsd: 0.75 },
      });
      expect(summary?.updatedAt).toBe(new Date(end.timestamp).toISOString());
    });

    it('refuses every append after execution-end except a resume, and writes nothing', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'closed log' });
      await store.append(executionStart(id, 'closed log'));
      await store.append(executionEnd(id, 'COMPLETED', 'done'));
      const other = await openStore();
      for (const late of [
        warningEvent(id, 'late'),
        llmCall(id, { inputTokens: 5, outputTokens: 5, cachedInputTokens: 0, costUsd: 1 }),
        executionEnd(id, 'COMPLETED', 'a second end'),
        { type: 'execution-cancel-requested', executionId: id, timestamp: timestamp(), reason: 'late' },
      ] satisfies NewStreamEvent[]) {
        for (const writer of [store, other]) {
          const error = await caught(writer.append(late));
          expect(error.code).toBe('CONFLICT');
          expect(error.message).toContain('ended (COMPLETED)');
        }
      }
      expect((await store.readEvents(id)).map((event) => event.type)).toEqual([
        'execution-start',
        'execution-end',
      ]);
      expect(await store.getExecution(id)).toMatchObject({ status: 'COMPLETED', result: 'done', lastSeq: 2 });
      // A resume reopens the log; the next end closes it again.
      await store.append({ type: 'execution-resume', executionId: id, timestamp: timestamp(), fromSeq: 2 });
      expect((await other.append(warningEvent(id, 'after resume'))).seq).toBe(4);
      await other.append(executionEnd(id, 'FAILED', null));
      expect((await caught(store.append(warningEvent(id, 'after the second end')))).code).toBe('CONFLICT');
    });

    it('appends with ifLastSeq only while the log is still at that seq (atomic takeover)', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'takeover' });
      await store.append(executionStart(id, 'takeover'));
      await store.append(warningEvent(id, 'in flight when the runner died'));
      const resume = (fromSeq: number): NewStreamEvent => ({
        type: 'execution-resume',
        executionId: id,
        timestamp: timestamp(),
        fromSeq,
      });
      // Two resumers read the same log (lastSeq 2), then race to take the run over from two connections.
      const rivals = [store, await openStore(), await openStore(), await openStore()];
      const settled = await Promise.allSettled(
        rivals.map((writer) => writer.append(resume(2), { ifLastSeq: 2 })),
      );
      const won = settled.filter((each) => each.status === 'fulfilled');
      const lost = settled.filter((each): each is PromiseRejectedResult => each.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(rivals.length - 1);
      for (const each of lost) expect((each.reason as RomaError).code).toBe('CONFLICT');
      expect(
        (await store.readEvents(id)).filter((event) => event.type === 'execution-resume').map((e) => e.seq),
      ).toEqual([3]);
      // A stale expectation fails, a current one succeeds, and a malformed one names the field.
      expect((await caught(store.append(warningEvent(id, 'stale'), { ifLastSeq: 2 }))).code).toBe('CONFLICT');
      expect((await store.append(warningEvent(id, 'current'), { ifLastSeq: 3 })).seq).toBe(4);
      const malformed = await caught(store.append(warningEvent(id, 'bad'), { ifLastSeq: -1 }));
      expect(malformed).toMatchObject({ code: 'VALIDATION_FAILED', field: 'ifLastSeq' });
      expect((await store.getExecution(id))?.lastSeq).toBe(4);
    });

    it('reads and follows events in seq order while two connections append concurrently', async () => {
      const other = await openStore();
      const id = newId();
      await store.createExecution({ id, goal: 'ordered stream' });
      const controller = new AbortController();
      const bound = setTimeout(() => controller.abort(), FOLLOW_BOUND_MS);
      const followed: number[] = [];
      const following = (async () => {
        for await (const event of store.follow(id, { signal: controller.signal, pollIntervalMs: 5 })) {
          followed.push(event.seq);
          if (followed.length === 60) break;
        }
      })();
      try {
        await Promise.all(
          Array.from({ length: 60 }, (_, index) =>
            (index % 2 === 0 ? store : other).append(warningEvent(id, `writer ${index % 2} event ${index}`)),
          ),
        );
        await following;
      } finally {
        clearTimeout(bound);
      }
      expect(followed).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
    });

    it('rejects an invalid event naming the field, and writes nothing', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'strict' });
      const bad = { ...llmCall(id, { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, costUsd: 0 }) };
      (bad as Record<string, unknown>).inputTokens = -5;
      const error = await caught(store.append(bad));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.field).toBe('event.inputTokens');
      expect(error.message).toContain('inputTokens');

      const unknownType = await caught(store.append({ ...warningEvent(id, 'x'), type: 'nonsense' } as never));
      expect(unknownType.code).toBe('VALIDATION_FAILED');

      expect(await store.readEvents(id)).toEqual([]);
      expect((await store.getExecution(id))?.lastSeq).toBe(0);
      // The next valid event still gets seq 1: the failures took no number.
      expect((await store.append(warningEvent(id, 'ok'))).seq).toBe(1);
    });

    it('refuses an append to an unknown execution with NOT_FOUND', async () => {
      const error = await caught(store.append(warningEvent(newId(), 'orphan')));
      expect(error.code).toBe('NOT_FOUND');
    });

    it('reads events after a seq, with a limit', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'read' });
      for (let index = 0; index < 6; index += 1) await store.append(warningEvent(id, `event ${index}`));
      expect((await store.readEvents(id, { afterSeq: 2 })).map((event) => event.seq)).toEqual([3, 4, 5, 6]);
      expect((await store.readEvents(id, { afterSeq: 2, limit: 2 })).map((event) => event.seq)).toEqual([
        3, 4,
      ]);
      expect(await store.readEvents(id, { afterSeq: 6 })).toEqual([]);
      expect(await store.readEvents(newId())).toEqual([]);
    });

    it('reads only the events of the types asked for, after a seq, with a limit', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'read some' });
      const cancel = (reason: string) =>
        store.append({
          type: 'execution-cancel-requested',
          executionId: id,
          timestamp: new Date().toISOString(),
          reason,
        });
      await store.append(warningEvent(id, 'first'));
      await cancel('one');
      await store.append(warningEvent(id, 'second'));
      await cancel('two');
      await cancel('three');
      const cancels = await store.readEvents(id, { types: ['execution-cancel-requested'] });
      expect(cancels.map((event) => event.seq)).toEqual([2, 4, 5]);
      expect(cancels[0]).toMatchObject({ type: 'execution-cancel-requested', reason: 'one' });
      const after = await store.readEvents(id, {
        types: ['execution-cancel-requested'],
        afterSeq: 2,
        limit: 1,
      });
      expect(after.map((event) => event.seq)).toEqual([4]);
      const both = await store.readEvents(id, {
        types: ['warning', 'execution-cancel-requested'],
        afterSeq: 1,
      });
      expect(both.map((event) => event.seq)).toEqual([2, 3, 4, 5]);
      expect(await store.readEvents(id, { types: ['llm-call'] })).toEqual([]);
      expect(await store.readEvents(id, { types: [] })).toEqual([]);
      // Positive control: without types, every event.
      expect((await store.readEvents(id)).length).toBe(5);
    });

    it('follows: stored events after afterSeq, then live ones, and lets go on break', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'follow' });
      for (let index = 1; index <= 3; index += 1) await store.append(warningEvent(id, `stored ${index}`));

      const controller = new AbortController();
      const bound = setTimeout(() => controller.abort(), FOLLOW_BOUND_MS);
      const seen: StreamEvent[] = [];
      try {
        for await (const event of store.follow(id, {
          afterSeq: 1,
          signal: controller.signal,
          pollIntervalMs: 5_000,
        })) {
          seen.push(event);
          // Live appends, made once the follower has caught up; the same-object notification wakes it.
          if (event.seq === 3)
            void store
              .append(warningEvent(id, 'live 4'))
              .then(() => store.append(warningEvent(id, 'live 5')));
          if (event.seq === 5) break;
        }
      } finally {
        clearTimeout(bound);
      }
      expect(seen.map((event) => event.seq)).toEqual([2, 3, 4, 5]);
      expect(controller.signal.aborted).toBe(false);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('follows appends made through another connection by polling', async () => {
      const writer = await openStore();
      const id = newId();
      await store.createExecution({ id, goal: 'cross process' });
      const iterator = store
        .follow(id, { signal: AbortSignal.timeout(FOLLOW_BOUND_MS), pollIntervalMs: 10 })
        [Symbol.asyncIterator]();
      try {
        // Each next() is asked before the other connection appends, so only a poll can find the event.
        const first = iterator.next();
        await writer.append(warningEvent(id, 'first'));
        expect((await first).value?.seq).toBe(1);
        const second = iterator.next();
        await writer.append(warningEvent(id, 'second'));
        expect((await second).value?.seq).toBe(2);
      } finally {
        await iterator.return?.();
      }
    });

    it('ends a follow cleanly when the signal aborts while it waits', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'abort' });
      await store.append(warningEvent(id, 'one'));
      const controller = new AbortController();
      const bound = setTimeout(() => controller.abort(), FOLLOW_BOUND_MS);
      const seen: number[] = [];
      try {
        for await (const event of store.follow(id, { signal: controller.signal, pollIntervalMs: 5_000 })) {
          seen.push(event.seq);
          // Abort while the follower is parked waiting for the next append.
          setTimeout(() => controller.abort(), 20);
        }
      } finally {
        clearTimeout(bound);
      }
      expect(seen).toEqual([1]);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('ends a follow at execution-end when asked, and refuses an unknown execution', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'until end' });
      await store.append(executionStart(id, 'until end'));
      await store.append(executionEnd(id, 'COMPLETED', 'ok'));
      const seen: string[] = [];
      for await (const event of store.follow(id, {
        untilExecutionEnd: true,
        signal: AbortSignal.timeout(FOLLOW_BOUND_MS),
      })) {
        seen.push(event.type);
      }
      expect(seen).toEqual(['execution-start', 'execution-end']);

      const iterator = store.follow(newId())[Symbol.asyncIterator]();
      expect((await caught(iterator.next())).code).toBe('NOT_FOUND');
    });

    it('re-imports an exported log with the same seqs and the same summary', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'export me' });
      await store.append(executionStart(id, 'export me'));
      await store.append(taskStart(id, 'root'));
      await store.append(
        llmCall(id, { inputTokens: 7, outputTokens: 3, cachedInputTokens: 1, costUsd: 0.125 }),
      );
      await store.append(executionEnd(id, 'COMPLETED', 'exported'));
      const exported = await store.readEvents(id);
      const original = await store.getExecution(id);
      // Through JSON, as `roma runs export` writes JSONL.
      const lines = exported.map((event) => JSON.stringify(event));

      const elsewhere = await createHarness();
      const target = await elsewhere.open();
      try {
        const imported = await target.importEvents(lines.map((line) => JSON.parse(line) as StreamEvent));
        expect(await target.readEvents(id)).toEqual(exported);
        expect(imported).toMatchObject({
          id,
          goal: 'export me',
          status: 'COMPLETED',
          result: 'exported',
          lastSeq: 4,
          nodeCount: 1,
          usage: original?.usage,
        });
        expect(await target.getExecution(id)).toEqual(imported);
        // The imported run goes on numbering where the log left off (it ended: only a resume may follow).
        expect((await caught(target.append(warningEvent(id, 'after import')))).code).toBe('CONFLICT');
        expect(
          (
            await target.append({
              type: 'execution-resume',
              executionId: id,
              timestamp: timestamp(),
              fromSeq: 4,
            })
          ).seq,
        ).toBe(5);
        expect((await caught(target.importEvents(exported))).code).toBe('CONFLICT');
      } finally {
        await target.close();
        await elsewhere.cleanup();
      }
    });

    it('refuses to import a log with a gap, naming the event', async () => {
      const id = newId();
      const events = [
        { ...executionStart(id), seq: 1 },
        { ...warningEvent(id, 'two'), seq: 2 },
        { ...warningEvent(id, 'four'), seq: 4 },
      ] as StreamEvent[];
      const error = await caught(store.importEvents(events));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.field).toBe('events[2].seq');
      expect(await store.getExecution(id)).toBeNull();
    });

    it('keeps every acknowledged append across close and reopen', async () => {
      const id = newId();
      await store.createExecution({ id, goal: 'durable' });
      await store.append(executionStart(id, 'durable'));
      await store.append(taskStart(id, 'root'));
      const before = await store.readEvents(id);
      await store.close();

      const reopened = await openStore();
      expect(await reopened.readEvents(id)).toEqual(before);
      expect((await reopened.getExecution(id))?.lastSeq).toBe(2);
      expect((await reopened.append(warningEvent(id, 'after reopen'))).seq).toBe(3);
      // A closed store refuses work instead of failing somewhere deeper.
      expect((await caught(store.getExecution(id))).code).toBe('STORE_FAILED');
    });
  });
}
