// MLflow tracking against a loopback MLflow REST double: a run's params, metrics, event-log artifact and nested
// task runs; retries on 503, drops (counted) on refusals, a full queue or a server that is down.
import { afterEach, describe, expect, it } from 'vitest';
import { type MlflowDouble, startMlflowDouble } from '../../../test/support/mlflow/index.js';
import type { StreamEvent } from '../../contracts/index.js';
import { type ScriptedTree, scriptedTreeRules } from '../../dev/scripted-model/index.js';
import { foldTotals, startExecution } from '../../engine/index.js';
import { createEngineKit, type EngineKit } from '../../engine/testing/engine-test-kit.js';
import { DeliveryError, DeliveryQueue } from '../delivery-queue.js';
import { foldRunFigures, tokensKeptOutOfContext } from '../run-figures.js';
import { exportRunToMlflow } from './export-run.js';
import { MlflowClient, MlflowRequestError } from './mlflow-client.js';
import { createMlflowTracker, EVENT_LOG_ARTIFACT } from './mlflow-tracker.js';

const GOAL = 'Write a short note on tides';
const TREE: ScriptedTree = {
  goal: GOAL,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'a', goal: 'Gather facts about tides', taskType: 'RETRIEVE', dependencies: [] },
        { id: 'b', goal: 'Write the note on tides', taskType: 'WRITE', dependencies: ['a'] },
      ],
      result: 'NOTE ON TIDES',
    },
    'Gather facts about tides': { result: 'two high tides a day' },
    'Write the note on tides': { result: 'NOTE DRAFT' },
  },
};

let kit: EngineKit | undefined;
let double: MlflowDouble | undefined;
afterEach(async () => {
  await kit?.close();
  await double?.close();
  kit = undefined;
  double = undefined;
});

async function runTree(
  onEvent: (event: StreamEvent) => void,
): Promise<{ executionId: string; events: StreamEvent[] }> {
  kit = await createEngineKit(scriptedTreeRules(TREE));
  const handle = startExecution(kit.deps({ engine: { maxDepth: 2 } }), { goal: GOAL, onEvent });
  const outcome = await handle.done;
  expect(outcome.status).toBe('COMPLETED');
  return { executionId: outcome.executionId, events: await kit.events(outcome.executionId) };
}

const experimentName = () => `roma-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

describe('MLflow tracker', () => {
  it('records the run (params, metrics from the log, event log artifact, status) and one nested run per task', async () => {
    double = await startMlflowDouble();
    const experiment = experimentName();
    const tracker = createMlflowTracker({
      trackingUri: double.url,
      experimentName: experiment,
      profile: 'team',
    });
    const { executionId, events } = await runTree((event) => tracker.onEvent(event));
    await tracker.idle();
    expect(tracker.stats()).toMatchObject({ dropped: 0, queued: 0 });

    expect(double.experiments.has(experiment)).toBe(true);
    const runs = double.runsOfExecution(executionId);
    const top = runs.find((run) => !run.tags.has('mlflow.parentRunId'))!;
    expect(top.runId).toBe(tracker.runIdOf(executionId));
    expect(Object.fromEntries(top.params)).toEqual({
      goal: GOAL,
      model: 'openai:scripted',
      depth: '2',
      profile: 'team',
    });
    const totals = foldTotals(events);
    expect(top.metrics.get('tokens_total')).toBe(totals.usage.inputTokens + totals.usage.outputTokens);
    expect(top.metrics.get('tokens_total')).toBeGreaterThan(0);
    expect(top.metrics.get('cost_usd')).toBe(totals.usage.costUsd);
    expect(top.metrics.get('tasks')).toBe(3);
    expect(top.metrics.get('model_calls')).toBe(totals.modelCalls);
    expect(top.metrics.get('tool_calls')).toBe(events.filter((event) => event.type === 'tool-call').length);
    expect(top.metrics.has('cache_hit_rate')).toBe(true);
    expect(top.metrics.has('ptc_tokens_kept_out_of_context')).toBe(true);
    expect(top.status).toBe('FINISHED');
    expect(top.tags.get('roma.status')).toBe('COMPLETED');
    const artifact = top.artifacts.get(EVENT_LOG_ARTIFACT)!;
    expect(
      artifact
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).seq),
    ).toEqual(events.map((event) => event.seq));

    // One nested run per task; their parent links mirror the task tree.
    const taskStarts = events.filter((event) => event.type === 'task-start');
    const byTask = new Map(
      runs.filter((run) => run.tags.has('roma.task_id')).map((run) => [run.tags.get('roma.task_id')!, run]),
    );
    expect([...byTask.keys()].sort()).toEqual([...new Set(taskStarts.map((event) => event.taskId))].sort());
    for (const start of taskStarts) {
      const run = byTask.get(start.taskId)!;
      const parentRunId = start.parentId ? byTask.get(start.parentId)!.runId : top.runId;
      expect(run.tags.get('mlflow.parentRunId')).toBe(parentRunId);
      expect(run.status).toBe('FINISHED');
      expect(run.metrics.has('tokens_input')).toBe(true);
    }
  });

  it('reuses an existing experiment and retries a 503 until it is delivered', async () => {
    double = await startMlflowDouble();
    const experiment = experimentName();
    double.experiments.set(experiment, '42');
    double.failNext(2);
    const tracker = createMlflowTracker({
      trackingUri: double.url,
      experimentName: experiment,
      queue: { baseBackoffMs: 10 },
    });
    const { executionId } = await runTree((event) => tracker.onEvent(event));
    await tracker.idle();
    expect(tracker.stats()).toMatchObject({ dropped: 0, retried: 2 });
    expect(double.requests.filter((request) => request.path.endsWith('/experiments/create'))).toEqual([]);
    expect(double.runsOfExecution(executionId)[0]!.experimentId).toBe('42');
  });

  it('finishes the run while MLflow is down, then drops what it could not send and says so', async () => {
    double = await startMlflowDouble();
    const downUrl = double.url;
    await double.close();
    double = undefined;
    const warnings: string[] = [];
    const tracker = createMlflowTracker({
      trackingUri: downUrl,
      experimentName: experimentName(),
      queue: { baseBackoffMs: 5_000 },
      onWarning: (message) => warnings.push(message),
    });
    await runTree((event) => tracker.onEvent(event));
    // The run is done though not one delivery went through: nothing waited on MLflow.
    expect(tracker.stats().delivered).toBe(0);
    await tracker.close(50);
    const stats = tracker.stats();
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.queued).toBe(0);
    expect(warnings[0]).toMatch(/MLflow tracking dropped .*ECONNREFUSED|not sent before close/);
  });

  it('drops deliveries past its bound while MLflow is slow, counting them', async () => {
    double = await startMlflowDouble();
    double.delayMs = 2_000;
    const tracker = createMlflowTracker({
      trackingUri: double.url,
      experimentName: experimentName(),
      queue: { maxQueued: 2 },
    });
    await runTree((event) => tracker.onEvent(event));
    expect(tracker.stats().delivered).toBe(0);
    expect(tracker.stats().dropped).toBeGreaterThan(0);
    await tracker.close(0);
  });
});

describe('roma runs export --to mlflow (exportRunToMlflow)', () => {
  it('sends a past run from its stored log, with the same figures as live tracking', async () => {
    const { events } = await runTree(() => undefined);
    double = await startMlflowDouble();
    const runId = await exportRunToMlflow(events, {
      trackingUri: double.url,
      experimentName: experimentName(),
    });
    const run = double.runs.get(runId)!;
    const totals = foldTotals(events);
    expect(run.metrics.get('tokens_input')).toBe(totals.usage.inputTokens);
    expect(run.status).toBe('FINISHED');
    expect(run.startTime).toBe(Date.parse(events[0]!.timestamp));
    expect(run.artifacts.get(EVENT_LOG_ARTIFACT)!.trim().split('\n')).toHaveLength(events.length);
  });

  it('fails with the fix when MLflow does not answer (positive control above)', async () => {
    const { events } = await runTree(() => undefined);
    double = await startMlflowDouble();
    const downUrl = double.url;
    await double.close();
    double = undefined;
    await expect(
      exportRunToMlflow(events, { trackingUri: downUrl, experimentName: 'x', timeoutMs: 200 }),
    ).rejects.toMatchObject({ field: 'MLFLOW_TRACKING_URI', fix: expect.stringMatching(/roma doctor/) });
  });
});

describe('MLflow client error shapes', () => {
  it('turns { error_code, message } into a typed error; 4xx is not retried, 503 is', async () => {
    double = await startMlflowDouble();
    const client = new MlflowClient(double.url);
    const signal = AbortSignal.timeout(5_000);
    const missing = await client
      .logBatch('nope', { tags: [{ key: 'a', value: 'b' }] }, signal)
      .catch((error) => error);
    expect(missing).toBeInstanceOf(MlflowRequestError);
    expect(missing).toMatchObject({ status: 404, errorCode: 'RESOURCE_DOES_NOT_EXIST', retryable: false });
    double.failNext(1);
    const busy = await client.findExperiment('x', signal).catch((error) => error);
    expect(busy).toMatchObject({ status: 503, errorCode: 'TEMPORARILY_UNAVAILABLE', retryable: true });
    expect(await client.findExperiment('x', signal)).toBeNull();
    const id = await client.ensureExperiment('x', signal);
    expect(await client.ensureExperiment('x', signal)).toBe(id);
  });
});

describe('DeliveryQueue', () => {
  it('does not retry a delivery that cannot succeed, and bounds the retries of one that may', async () => {
    const queue = new DeliveryQueue({ maxAttempts: 3, baseBackoffMs: 1 });
    let refused = 0;
    let flaky = 0;
    queue.push('refused', async () => {
      refused += 1;
      throw new DeliveryError('400', false);
    });
    queue.push('flaky', async () => {
      flaky += 1;
      throw new DeliveryError('503', true);
    });
    await queue.idle();
    expect([refused, flaky]).toEqual([1, 3]);
    expect(queue.stats()).toMatchObject({ dropped: 2, retried: 2, delivered: 0 });
  });
});

describe('run figures', () => {
  it('counts the tokens PTC kept out of context as tool result bytes minus printed characters', () => {
    const base = { executionId: 'e', timestamp: new Date().toISOString() };
    const figures = foldRunFigures([
      {
        ...base,
        seq: 1,
        type: 'tool-call',
        taskId: 't',
        planId: 'p',
        server: 's',
        tool: 'x',
        durationMs: 1,
        ok: true,
        resultBytes: 40_000,
      },
      {
        ...base,
        seq: 2,
        type: 'tool-call',
        taskId: 't',
        planId: 'p',
        server: 's',
        tool: 'y',
        durationMs: 1,
        ok: false,
        resultBytes: 0,
        error: 'no',
      },
      {
        ...base,
        seq: 3,
        type: 'code-execution-end',
        taskId: 't',
        planId: 'p',
        iteration: 1,
        exitCode: 0,
        durationMs: 1,
        stdout: 'x'.repeat(400),
        stderr: '',
        truncated: false,
        stoppedBy: null,
      },
    ]);
    expect(figures).toMatchObject({ toolCalls: 2, failedToolCalls: 1, codeExecutions: 1 });
    expect(tokensKeptOutOfContext(figures)).toBe((40_000 - 400) / 4);
  });
});
