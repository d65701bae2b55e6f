// The one behaviour suite every StepDispatcher must pass: in process, and BullMQ workers (src/queue/) alike.
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../contracts/index.js';
import type { ScriptedRule, ScriptedTree } from '../dev/scripted-model/index.js';
import { scriptedTreeRules, taskLine } from '../dev/scripted-model/index.js';
import { foldTaskTree } from './projection/task-tree.js';
import type { EngineDependencies } from './run/engine-types.js';
import { resumeExecution, solve, startExecution } from './run/execution.js';
import type { StepDispatcher } from './steps/step-dispatcher.js';
import type { EngineKit, EngineKitOptions } from './testing/engine-test-kit.js';
import {
  CITIES,
  citiesTree,
  createEngineKit,
  eventsOfType,
  requestsAbout,
  taskEnd,
  taskStart,
} from './testing/engine-test-kit.js';
import { until } from './testing/wait.js';

/** Opens the dispatcher under test over a kit's store and models (workers included), and closes it. */
export interface StepDispatcherHarness {
  open(kit: EngineKit): Promise<{ steps: StepDispatcher; close(): Promise<void> }>;
}

const REPORT = 'Write a short report on tides';
const TIDES_TREE: ScriptedTree = {
  goal: REPORT,
  tasks: {
    [REPORT]: {
      plan: [
        { id: 'a', goal: 'Gather facts about tides', taskType: 'RETRIEVE', dependencies: [] },
        { id: 'b', goal: 'Explain the physics of tides', taskType: 'THINK', dependencies: [] },
        { id: 'c', goal: 'Write the report on tides', taskType: 'WRITE', dependencies: ['a', 'b'] },
      ],
      result: 'FINAL REPORT ON TIDES',
    },
    'Gather facts about tides': { result: 'FACT: two high tides a day' },
    'Explain the physics of tides': {
      plan: [
        { id: 'g', goal: 'Describe the gravity of the moon', taskType: 'THINK', dependencies: [] },
        { id: 'x', goal: 'Combine gravity and rotation', taskType: 'THINK', dependencies: ['g'] },
      ],
      result: 'PHYSICS: gravity plus rotation',
    },
    'Describe the gravity of the moon': { result: 'GRAVITY PULLS WATER' },
    'Combine gravity and rotation': { result: 'BULGES SWEEP AROUND' },
    'Write the report on tides': { result: 'REPORT DRAFT' },
  },
};

const CITIES_TREE = citiesTree(300);
/** How long a dispatcher may take to show an effect it cannot be awaited for (a worker's model call). */
const WAIT_MS = 15_000;
const SLOW_CITIES = citiesTree(20_000);

function seqOf(event: StreamEvent | undefined): number {
  if (!event) throw new Error('event missing');
  return event.seq;
}

export function runStepDispatcherConformance(name: string, harness: StepDispatcherHarness): void {
  describe(`step dispatcher conformance: ${name}`, { timeout: 60_000 }, () => {
    let kit: EngineKit | undefined;
    let opened: Awaited<ReturnType<StepDispatcherHarness['open']>> | undefined;
    afterEach(async () => {
      await opened?.close();
      await kit?.close();
      opened = undefined;
      kit = undefined;
    });

    async function setUp(
      rules: ScriptedRule[],
      options: EngineKitOptions = {},
    ): Promise<{
      kit: EngineKit;
      deps: (engine?: Partial<EngineKit['config']['engine']>) => EngineDependencies;
    }> {
      kit = await createEngineKit(rules, options);
      opened = await harness.open(kit);
      const steps = opened.steps;
      const current = kit;
      return { kit: current, deps: (engine = {}) => ({ ...current.deps({ engine }), steps }) };
    }

    it('solves a 3-level plan in dependency order, passing results to dependants, each step once', async () => {
      const { kit, deps } = await setUp(scriptedTreeRules(TIDES_TREE));
      const outcome = await solve(deps({ maxDepth: 2 }), { goal: REPORT });
      expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'FINAL REPORT ON TIDES' });
      const events = await kit.events(outcome.executionId);
      expect(seqOf(taskStart(events, 'root.3'))).toBeGreaterThan(seqOf(taskEnd(events, 'root.1')));
      expect(seqOf(taskStart(events, 'root.3'))).toBeGreaterThan(seqOf(taskEnd(events, 'root.2')));
      expect(seqOf(taskStart(events, 'root.2.2'))).toBeGreaterThan(seqOf(taskEnd(events, 'root.2.1')));
      const [write] = requestsAbout(kit.server.requests, 'ROMA executor', 'Write the report on tides');
      expect(write?.text).toContain('FACT: two high tides a day');
      expect(write?.text).toContain('PHYSICS: gravity plus rotation');
      for (const goal of [
        'Gather facts about tides',
        'Describe the gravity of the moon',
        'Write the report on tides',
      ])
        expect(requestsAbout(kit.server.requests, 'ROMA executor', goal)).toHaveLength(1);
      expect(requestsAbout(kit.server.requests, 'ROMA planner.', REPORT)).toHaveLength(1);
      expect(requestsAbout(kit.server.requests, 'ROMA aggregator.', REPORT)).toHaveLength(1);
      const tree = foldTaskTree(events);
      expect([...tree.nodes.values()].every((node) => node.status === 'COMPLETED')).toBe(true);
      expect(tree.nodes.size).toBe(6);
      // The run's totals count every model call once, wherever it was made.
      const calls = eventsOfType(events, 'llm-call');
      expect(outcome.usage.inputTokens).toBe(calls.reduce((sum, call) => sum + call.inputTokens, 0));
    });

    it("tells the run's observers and live watchers every event it stores, the steps' model calls included", async () => {
      const { kit, deps } = await setUp(scriptedTreeRules(TIDES_TREE));
      const observed: StreamEvent[] = [];
      const handle = startExecution(deps({ maxDepth: 2 }), {
        goal: REPORT,
        onEvent: (event) => observed.push(event),
      });
      const streamed: StreamEvent[] = [];
      const reading = (async () => {
        for await (const event of handle.events()) streamed.push(event);
      })();
      const outcome = await handle.done;
      await reading;
      expect(outcome.status).toBe('COMPLETED');
      const stored = await kit.events(outcome.executionId);
      const seqs = (events: StreamEvent[]) => events.map((event) => event.seq).sort((a, b) => a - b);
      // Tracking (MLflow, OpenTelemetry) reads the model calls from here: a worker's must arrive too.
      expect(seqs(observed)).toEqual(seqs(stored));
      expect(seqs(streamed)).toEqual(seqs(stored));
      // Positive control: the run made its model calls, each seen once.
      const calls = eventsOfType(observed, 'llm-call');
      expect(calls.length).toBeGreaterThanOrEqual(8);
      expect(calls.length).toBe(eventsOfType(stored, 'llm-call').length);
    });

    it('fails a task whose model refuses the call, without retrying an unrecoverable error', async () => {
      const { kit, deps } = await setUp([
        {
          match: { contains: ['ROMA executor', taskLine('Describe the first city')] },
          reply: { status: 400, errorBody: { error: { message: 'BAD REQUEST ON PURPOSE' } } },
        },
        ...scriptedTreeRules(CITIES_TREE),
      ]);
      const outcome = await solve(deps(), { goal: CITIES });
      expect(outcome.status).toBe('FAILED');
      const events = await kit.events(outcome.executionId);
      expect(taskEnd(events, 'root.1')).toMatchObject({
        status: 'FAILED',
        error: { code: 'MODEL_CALL_FAILED' },
      });
      expect(outcome.error?.cause?.[0]).toMatchObject({ taskId: 'root.1', code: 'MODEL_CALL_FAILED' });
      expect(requestsAbout(kit.server.requests, 'ROMA executor', 'Describe the first city')).toHaveLength(1);
      // Positive control: the task's earlier step did run, once.
      expect(requestsAbout(kit.server.requests, 'ROMA atomizer.', 'Describe the first city')).toHaveLength(1);
    });

    it('replans a composite task after a failed verdict, feeding the verifier back', async () => {
      const { kit, deps } = await setUp([
        {
          match: { contains: ['ROMA verifier.', taskLine(CITIES)] },
          reply: { json: { passed: false, feedback: 'MISSING THE POPULATION' } },
          times: 1,
        },
        ...scriptedTreeRules(CITIES_TREE),
      ]);
      const outcome = await solve(deps({ verify: true, maxReplans: 1 }), { goal: CITIES });
      expect(outcome.status).toBe('COMPLETED');
      const events = await kit.events(outcome.executionId);
      const verdicts = eventsOfType(events, 'task-verified').filter((event) => event.taskId === 'root');
      expect(verdicts.map((event) => event.passed)).toEqual([false, true]);
      const plans = eventsOfType(events, 'task-planned').filter((event) => event.taskId === 'root');
      expect(plans.map((event) => event.replan)).toEqual([0, 1]);
      const planners = requestsAbout(kit.server.requests, 'ROMA planner.', CITIES);
      expect(planners).toHaveLength(2);
      expect(planners[1]?.text).toContain('MISSING THE POPULATION');
    });

    it('stops at a token budget with every started task ended', async () => {
      const { kit, deps } = await setUp(scriptedTreeRules(CITIES_TREE));
      const outcome = await solve(deps({ budgets: { maxNodes: 200, maxTokens: 50 } }), { goal: CITIES });
      expect(outcome).toMatchObject({ status: 'STOPPED', reason: 'max-tokens' });
      const events = await kit.events(outcome.executionId);
      const started = new Set(eventsOfType(events, 'task-start').map((event) => event.taskId));
      for (const taskId of started) expect(taskEnd(events, taskId)).toBeDefined();
      expect(events.at(-1)).toMatchObject({ type: 'execution-end', status: 'STOPPED' });
    });

    it('cancels a run: the model call in flight is aborted and the run ends CANCELLED', async () => {
      const { kit, deps } = await setUp(scriptedTreeRules(SLOW_CITIES));
      const controller = new AbortController();
      const handle = startExecution(deps(), { goal: CITIES, signal: controller.signal });
      await until(
        () => requestsAbout(kit.server.requests, 'ROMA executor', 'Describe the second city').length === 1,
        'the slow call to reach the model',
        WAIT_MS,
      );
      controller.abort();
      const outcome = await handle.done;
      expect(outcome).toMatchObject({ status: 'CANCELLED', reason: 'cancelled' });
      const events = await kit.events(outcome.executionId);
      expect(taskEnd(events, 'root.2')).toMatchObject({ status: 'CANCELLED' });
      // The call in flight was really cut off, wherever it ran.
      await until(
        () =>
          requestsAbout(kit.server.requests, 'ROMA executor', 'Describe the second city')[0]
            ?.clientAborted === true,
        'the call in flight to be aborted',
        WAIT_MS,
      );
    });

    it('resumes a cancelled run without repeating a finished task or a recorded decision', async () => {
      const { kit, deps } = await setUp(scriptedTreeRules(SLOW_CITIES));
      const handle = startExecution(deps(), { goal: CITIES });
      await until(
        async () => taskEnd(await kit.events(handle.executionId), 'root.1') !== undefined,
        'the first city to end',
        WAIT_MS,
      );
      await until(
        () => requestsAbout(kit.server.requests, 'ROMA executor', 'Describe the second city').length === 1,
        'the slow call to reach the model',
        WAIT_MS,
      );
      handle.cancel('test crash');
      expect((await handle.done).status).toBe('CANCELLED');

      kit.server.setRules(scriptedTreeRules(CITIES_TREE));
      const before = kit.server.requests.length;
      const outcome = await resumeExecution(kit.store, handle.executionId, deps());
      expect(outcome).toMatchObject({ status: 'COMPLETED', result: 'CITIES COMPARED' });
      const after = kit.server.requests.slice(before);
      const asked = (marker: string, goal: string) => requestsAbout(after, marker, goal).length;
      expect(asked('ROMA executor', 'Describe the first city')).toBe(0);
      expect(asked('ROMA atomizer.', CITIES)).toBe(0);
      expect(asked('ROMA planner.', CITIES)).toBe(0);
      // Positive control: what was in flight at the cancel is redone.
      expect(asked('ROMA executor', 'Describe the second city')).toBe(1);
    });
  });
}
