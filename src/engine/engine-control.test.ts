// Budgets, cancellation, verifier replans and resume of the engine, through the scripted model server.
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../contracts/index.js';
import type { ScriptedTree } from '../dev/scripted-model/index.js';
import { scriptedTreeRules, taskLine } from '../dev/scripted-model/index.js';
import { foldTaskTree } from './projection/task-tree.js';
import { resumeExecution, solve, startExecution } from './run/execution.js';
import type { EngineKit } from './testing/engine-test-kit.js';
import {
  CITIES,
  citiesTree,
  createEngineKit,
  eventsOfType,
  requestsAbout,
  taskEnd,
} from './testing/engine-test-kit.js';
import { until } from './testing/wait.js';

const GOAL = CITIES;
const TREE = citiesTree(400);

let kit: EngineKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

/** Resolves with the first live event that fits, or rejects after `timeoutMs` so no test hangs. */
function waitForEvent(
  events: AsyncIterable<StreamEvent>,
  predicate: (event: StreamEvent) => boolean,
  timeoutMs = 10_000,
): Promise<StreamEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms`)), timeoutMs);
    void (async () => {
      for await (const event of events) {
        if (predicate(event)) {
          clearTimeout(timer);
          resolve(event);
          return;
        }
      }
      clearTimeout(timer);
      reject(new Error('the run ended without the awaited event'));
    })();
  });
}

function countRequests(kitValue: EngineKit, marker: string, goal: string): number {
  return requestsAbout(kitValue.server.requests, marker, goal).length;
}

describe('engine: budgets stop the run cleanly', () => {
  it('total tokens', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const outcome = await solve(kit.deps({ engine: { budgets: { maxNodes: 200, maxTokens: 50 } } }), {
      goal: GOAL,
    });
    expect(outcome).toMatchObject({
      status: 'STOPPED',
      reason: 'max-tokens',
      error: { code: 'BUDGET_EXCEEDED' },
    });
    const events = await kit.events(outcome.executionId);
    expect(events.at(-1)).toMatchObject({ type: 'execution-end', status: 'STOPPED', reason: 'max-tokens' });
    // Every started task got its end; nothing is left dangling in the log.
    const started = new Set(eventsOfType(events, 'task-start').map((event) => event.taskId));
    for (const taskId of started) expect(taskEnd(events, taskId)).toBeDefined();
    expect(taskEnd(events, 'root')?.status).toBe('CANCELLED');
  });

  it('node count', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const outcome = await solve(kit.deps({ engine: { budgets: { maxNodes: 2 } } }), { goal: GOAL });
    expect(outcome).toMatchObject({ status: 'STOPPED', reason: 'max-nodes' });
    expect(outcome.nodeCount).toBe(2);
    expect(outcome.error?.message).toContain('engine.budgets.maxNodes');
  });

  it('cost in USD', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE), { pricePerMillionUsd: 1000 });
    const outcome = await solve(kit.deps({ engine: { budgets: { maxNodes: 200, maxCostUsd: 0.05 } } }), {
      goal: GOAL,
    });
    expect(outcome).toMatchObject({ status: 'STOPPED', reason: 'max-cost' });
    expect(outcome.usage.costUsd).toBeGreaterThanOrEqual(0.05);
  });

  it('wall time, aborting the model call in flight', async () => {
    kit = await createEngineKit(
      scriptedTreeRules({
        ...TREE,
        tasks: { ...TREE.tasks, 'Describe the second city': { latencyMs: 20_000 } },
      }),
    );
    const outcome = await solve(kit.deps({ engine: { budgets: { maxNodes: 200, maxWallTimeMs: 500 } } }), {
      goal: GOAL,
    });
    expect(outcome).toMatchObject({ status: 'STOPPED', reason: 'max-wall-time' });
    const events = await kit.events(outcome.executionId);
    expect(taskEnd(events, 'root.2')?.status).toBe('CANCELLED');
  });
});

describe('engine: cancellation', () => {
  const slowTree: ScriptedTree = {
    ...TREE,
    tasks: { ...TREE.tasks, 'Describe the second city': { latencyMs: 20_000 } },
  };

  it('an AbortSignal reaches the model call in flight and the run ends CANCELLED', async () => {
    kit = await createEngineKit(scriptedTreeRules(slowTree));
    const controller = new AbortController();
    const handle = startExecution(kit.deps(), { goal: GOAL, signal: controller.signal });
    await waitForEvent(
      handle.events(),
      (event) => event.type === 'task-status' && event.taskId === 'root.2' && event.status === 'EXECUTING',
    );
    // The call must be in flight (reached the server) for the abort to have something to reach.
    await until(
      () => countRequests(kit!, 'ROMA executor', 'Describe the second city') === 1,
      'the slow call to reach the model',
      10_000,
    );
    controller.abort();
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'cancelled' });
    const events = await kit.events(outcome.executionId);
    expect(taskEnd(events, 'root.2')).toMatchObject({ status: 'CANCELLED', error: { code: 'CANCELLED' } });
    const aborted = eventsOfType(events, 'llm-call').find(
      (event) => event.taskId === 'root.2' && event.module === 'executor',
    );
    expect(aborted).toMatchObject({ ok: false });
    expect(aborted?.error).toContain('CANCELLED');
  });

  it('a cancel request recorded in the store by another process is noticed', async () => {
    kit = await createEngineKit(scriptedTreeRules(slowTree));
    const handle = startExecution(kit.deps(), { goal: GOAL });
    await waitForEvent(
      handle.events(),
      (event) => event.type === 'task-status' && event.taskId === 'root.2' && event.status === 'EXECUTING',
    );
    await kit.store.append({
      type: 'execution-cancel-requested',
      executionId: handle.executionId,
      timestamp: new Date().toISOString(),
      reason: 'user asked',
    });
    const outcome = await handle.done;
    expect(outcome).toMatchObject({
      status: 'CANCELLED',
      error: { message: 'cancelled by request: user asked' },
    });
  });
});

describe('engine: verifier', () => {
  it('a failed verdict on a composite task replans with the feedback, at most maxReplans times', async () => {
    kit = await createEngineKit([
      {
        match: { contains: ['ROMA verifier.', taskLine(GOAL)] },
        reply: { json: { passed: false, feedback: 'MISSING THE POPULATION' } },
        times: 1,
      },
      ...scriptedTreeRules(TREE),
    ]);
    const outcome = await solve(kit.deps({ engine: { verify: true, maxReplans: 1 } }), { goal: GOAL });
    expect(outcome.status).toBe('COMPLETED');
    const events = await kit.events(outcome.executionId);
    const verdicts = eventsOfType(events, 'task-verified').filter((event) => event.taskId === 'root');
    expect(verdicts.map((event) => event.passed)).toEqual([false, true]);
    const plans = eventsOfType(events, 'task-planned').filter((event) => event.taskId === 'root');
    expect(plans.map((event) => event.replan)).toEqual([0, 1]);
    expect(plans[1]?.subtasks.map((subtask) => subtask.id)).toEqual(['root.r1.1', 'root.r1.2', 'root.r1.3']);
    const plannerRequests = requestsAbout(kit.server.requests, 'ROMA planner.', GOAL);
    expect(plannerRequests).toHaveLength(2);
    expect(plannerRequests[1]?.text).toContain('MISSING THE POPULATION');
    expect(foldTaskTree(events).nodes.get('root')?.children).toEqual(['root.r1.1', 'root.r1.2', 'root.r1.3']);
  });

  it('out of replans, the last result is kept with a VERIFICATION_FAILED warning', async () => {
    kit = await createEngineKit([
      {
        match: { contains: ['ROMA verifier.', taskLine('Describe the first city')] },
        reply: { json: { passed: false, feedback: 'TOO SHORT' } },
      },
      ...scriptedTreeRules(TREE),
    ]);
    const outcome = await solve(kit.deps({ engine: { verify: true, maxReplans: 1 } }), { goal: GOAL });
    expect(outcome.status).toBe('COMPLETED');
    // One execution, one re-execution with the feedback, no more.
    expect(countRequests(kit, 'ROMA executor', 'Describe the first city')).toBe(2);
    const retry = requestsAbout(kit.server.requests, 'ROMA executor', 'Describe the first city')[1];
    expect(retry?.text).toContain('TOO SHORT');
    const events = await kit.events(outcome.executionId);
    expect(eventsOfType(events, 'warning').map((event) => event.code)).toEqual(['VERIFICATION_FAILED']);
  });
});

describe('engine: resume', () => {
  it('makes every event recorded before a model call durable before the call starts', async () => {
    // A chain without concurrent siblings: between one model call and the next, only this chain appends.
    const chain: ScriptedTree = {
      goal: GOAL,
      tasks: {
        [GOAL]: {
          plan: [
            { id: 'a', goal: 'Describe the first city', taskType: 'RETRIEVE', dependencies: [] },
            { id: 'c', goal: 'Contrast both cities', taskType: 'WRITE', dependencies: ['a'] },
          ],
          result: 'CITIES COMPARED',
        },
        'Describe the first city': { result: 'FIRST CITY IS OLD' },
        'Contrast both cities': { result: 'OLD VERSUS NEW' },
      },
    };
    kit = await createEngineKit(scriptedTreeRules(chain));
    const deps = kit.deps();
    let issued = 0;
    let settled = 0;
    const store = deps.store;
    const countingStore = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'append') {
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (...args: Parameters<typeof store.append>) => {
          issued += 1;
          return target.append(...args).finally(() => {
            settled += 1;
          });
        };
      },
    });
    const notYetDurableAtCall: number[] = [];
    const models = {
      ...deps.models,
      resolve: (modelId: string | undefined) => {
        const model = deps.models.resolve(modelId);
        return {
          ...model,
          doGenerate: (options: Parameters<typeof model.doGenerate>[0]) => {
            notYetDurableAtCall.push(issued - settled);
            return model.doGenerate(options);
          },
        } as typeof model;
      },
    };
    const outcome = await solve({ ...deps, store: countingStore, models }, { goal: GOAL });
    expect(outcome.status).toBe('COMPLETED');
    // root atomize + plan + aggregate, a and c atomize + execute.
    expect(notYetDurableAtCall).toHaveLength(7);
    expect(notYetDurableAtCall).toEqual(Array(7).fill(0));
    // Positive control: events were appended between the calls.
    expect(issued).toBeGreaterThan(7 * 2);
  });

  it('continues a run stopped by a budget once the resumer raises it', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const stopped = await solve(kit.deps({ engine: { budgets: { maxNodes: 200, maxTokens: 50 } } }), {
      goal: GOAL,
    });
    expect(stopped.status).toBe('STOPPED');
    const still = await resumeExecution(
      kit.store,
      stopped.executionId,
      kit.deps({ engine: { budgets: { maxNodes: 200, maxTokens: 50 } } }),
    );
    expect(still).toMatchObject({ status: 'STOPPED', reason: 'max-tokens' });
    const outcome = await resumeExecution(kit.store, stopped.executionId, kit.deps());
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'CITIES COMPARED' });
    // The root's atomizer decision made before the stop is reused, not asked again.
    expect(countRequests(kit, 'ROMA atomizer.', GOAL)).toBe(1);
  });

  it('continues a cancelled run without repeating a finished task or a recorded decision', async () => {
    const slow = {
      ...TREE.tasks,
      'Describe the second city': { result: 'SECOND CITY IS NEW', latencyMs: 20_000 },
    };
    kit = await createEngineKit(scriptedTreeRules({ ...TREE, tasks: slow }));
    const handle = startExecution(kit.deps(), { goal: GOAL });
    const stream = handle.events();
    await waitForEvent(stream, (event) => event.type === 'task-end' && event.taskId === 'root.1');
    // The slow call must have reached the server, so the count below sees only what the resume asks.
    await until(
      () => countRequests(kit!, 'ROMA executor', 'Describe the second city') === 1,
      'the slow call to reach the model',
      10_000,
    );
    handle.cancel('test crash');
    const first = await handle.done;
    expect(first.status).toBe('CANCELLED');

    kit.server.setRules(scriptedTreeRules(TREE));
    const before = kit.server.requests.length;
    const outcome = await resumeExecution(kit.store, first.executionId, kit.deps());
    expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'CITIES COMPARED' });
    const after = kit.server.requests.slice(before);
    const askedAbout = (marker: string, goal: string) => requestsAbout(after, marker, goal).length;
    // Finished before the cancel: not asked again.
    expect(askedAbout('ROMA executor', 'Describe the first city')).toBe(0);
    expect(askedAbout('ROMA atomizer.', 'Describe the first city')).toBe(0);
    // Recorded decisions of the unfinished root: reused.
    expect(askedAbout('ROMA atomizer.', GOAL)).toBe(0);
    expect(askedAbout('ROMA planner.', GOAL)).toBe(0);
    // In flight at the cancel: redone.
    expect(askedAbout('ROMA executor', 'Describe the second city')).toBe(1);
    const events = await kit.events(first.executionId);
    expect(eventsOfType(events, 'execution-resume')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'execution-end', status: 'COMPLETED' });
    const tree = foldTaskTree(events);
    expect([...tree.nodes.values()].map((node) => node.status)).toEqual(Array(4).fill('COMPLETED'));
    await expect(resumeExecution(kit.store, first.executionId, kit.deps())).rejects.toThrow(
      /already completed/,
    );
  });
});
