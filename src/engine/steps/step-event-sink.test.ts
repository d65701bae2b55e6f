// A worker step's sink: recorded model calls wait for the step's next effect or its end, and the end is stored
// with them all or not at all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteExecutionStore } from '../../store/index.js';
import { StepEventSink } from './step-event-sink.js';

const RUN = 'run-sink';

function llmCall(inputTokens: number) {
  return {
    type: 'llm-call' as const,
    taskId: 'root',
    module: 'executor' as const,
    model: 'openai:scripted',
    inputTokens,
    outputTokens: 5,
    cachedInputTokens: 0,
    costUsd: 0,
    cacheHit: false,
    durationMs: 3,
    ok: true,
  };
}

const stepEnd = {
  type: 'task-step-end' as const,
  taskId: 'root',
  step: 'execute' as const,
  attempt: 0,
  output: { result: 'done' },
  usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, costUsd: 0 },
  worker: 'test:1',
};

describe('StepEventSink', () => {
  let store: SqliteExecutionStore;

  beforeEach(async () => {
    store = SqliteExecutionStore.open({ filePath: ':memory:' });
    await store.createExecution({ id: RUN, goal: 'survey' });
  });

  afterEach(async () => {
    await store.close();
  });

  it('sends a recorded model call before the next external effect, and not before', async () => {
    const sink = new StepEventSink(store, RUN);
    sink.record(llmCall(10));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.readEvents(RUN)).toEqual([]);
    await sink.durable();
    expect((await store.readEvents(RUN)).map((event) => event.type)).toEqual(['llm-call']);
  });

  it('stores the end with the model calls held in one commit, or none of them when one is refused', async () => {
    const refused = new StepEventSink(store, RUN);
    refused.record(llmCall(10));
    refused.record(llmCall(-1));
    await expect(refused.end(stepEnd)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await store.readEvents(RUN)).toEqual([]);

    // Positive control: valid calls are stored with the end, in the order recorded, in one commit.
    const commitsBefore = store.appendCommitStats.commits;
    const sink = new StepEventSink(store, RUN);
    sink.record(llmCall(10));
    sink.record(llmCall(20));
    await sink.end(stepEnd);
    const events = await store.readEvents(RUN);
    expect(events.map((event) => (event.type === 'llm-call' ? event.inputTokens : event.type))).toEqual([
      10,
      20,
      'task-step-end',
    ]);
    expect(store.appendCommitStats.commits - commitsBefore).toBe(1);
    expect(events[0]!.timestamp <= events[2]!.timestamp).toBe(true);
  });
});
