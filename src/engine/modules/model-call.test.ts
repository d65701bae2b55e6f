// A module's model request leaves only once the run's log is durable and the run may still call; the SDK prepares it meanwhile.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/schema.js';
import type { NewStreamEvent } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';
import { scriptedModelServerForFile } from '../../dev/scripted-model/testing/server-for-file.js';
import type { ModelRegistry } from '../../llm/index.js';
import { createModelRegistry } from '../../llm/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { SqliteExecutionStore } from '../../store/index.js';
import { EventBus } from '../events/event-bus.js';
import { EventSink } from '../events/event-sink.js';
import { Semaphore } from '../scheduler/semaphore.js';
import { callModuleText, type ModelCallScope, type ModuleCall } from './model-call.js';

let eventsAtRequest: number[] = [];
let store: SqliteExecutionStore;
let executionId = '';
const server = scriptedModelServerForFile(() => [
  {
    // What the log held when the request reached the model.
    reply: async () => {
      eventsAtRequest.push((await store.readEvents(executionId)).length);
      return { text: 'ANSWER' };
    },
  },
]);
let models: ModelRegistry;

beforeAll(() => {
  models = createModelRegistry({
    ...defaultConfig().llm,
    model: 'openai:scripted',
    openaiBaseUrl: server.openaiBaseUrl,
    openaiApiKey: 'test-key',
    maxRetries: 0,
  });
});

afterEach(async () => {
  await store?.close();
});

async function openRun(): Promise<void> {
  eventsAtRequest = [];
  store = SqliteExecutionStore.open({ filePath: ':memory:' });
  executionId = `run-${randomUUID()}`;
  await store.createExecution({ id: executionId, goal: 'gate' });
}

/** The store, with appends of the warning named `held` committed only once `release` is called, or refused. */
function gatedStore(outcome: 'held' | 'refused'): { gated: ExecutionStore; release: () => void } {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const gated = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') {
        return async (event: NewStreamEvent, options?: Parameters<ExecutionStore['append']>[1]) => {
          if (event.type !== 'warning' || event.message !== 'held') return target.append(event, options);
          if (outcome === 'refused')
            throw new RomaError('STORE_FAILED', 'the disk is full', { retryable: true });
          await released;
          return target.append(event, options);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { gated, release };
}

function scopeOver(sink: EventSink, beforeCall: () => void = () => {}): ModelCallScope {
  return { models, runModelId: undefined, semaphore: new Semaphore(4), sink, beforeCall };
}

function executorCall(): ModuleCall {
  return {
    module: 'executor',
    taskId: 'root',
    taskType: 'THINK',
    settings: { modelId: undefined, temperature: 0, system: 'ROMA executor.', cacheStrategy: undefined },
    prompt: 'Task: answer',
    signal: new AbortController().signal,
    onUsage: () => {},
  };
}

/** llm-call events in the log once what `sink` recorded is durable. */
async function llmCalls(sink: EventSink): Promise<number> {
  await sink.durable();
  return (await store.readEvents(executionId)).filter((event) => event.type === 'llm-call').length;
}

describe('a module model call', () => {
  it('sends its request only once what the run recorded before it is durable', async () => {
    await openRun();
    const { gated, release } = gatedStore('held');
    const sink = new EventSink(gated, executionId, new EventBus());
    sink.record({ type: 'warning', taskId: null, code: 'TEST', message: 'held' });
    const call = callModuleText(scopeOver(sink), executorCall());
    // Long enough for the SDK to prepare and send it, were it not held.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.requests).toHaveLength(0);
    release();
    await expect(call).resolves.toMatchObject({ value: 'ANSWER' });
    // Positive control: it did go out, and the recorded event was in the log when it arrived.
    expect(eventsAtRequest).toEqual([1]);
    expect(await llmCalls(sink)).toBe(1);
  });

  it('sends nothing when a recorded append failed, and fails with the store error, not a model error', async () => {
    await openRun();
    const { gated } = gatedStore('refused');
    const sink = new EventSink(gated, executionId, new EventBus());
    sink.record({ type: 'warning', taskId: null, code: 'TEST', message: 'held' });
    await expect(callModuleText(scopeOver(sink), executorCall())).rejects.toMatchObject({
      code: 'STORE_FAILED',
      message: 'the disk is full',
    });
    expect(server.requests).toHaveLength(0);
    // No llm-call for a request that never left.
    expect(await llmCalls(sink)).toBe(0);
    // Positive control: the same call on a store that takes the append goes out and is recorded.
    const working = new EventSink(store, executionId, new EventBus());
    await expect(callModuleText(scopeOver(working), executorCall())).resolves.toMatchObject({
      value: 'ANSWER',
    });
    expect(server.requests).toHaveLength(1);
    expect(await llmCalls(working)).toBe(1);
  });

  it('sends nothing when the run was stopped before the request could leave', async () => {
    await openRun();
    const sink = new EventSink(store, executionId, new EventBus());
    let stopped = false;
    const scope = scopeOver(sink, () => {
      if (stopped) throw new RomaError('CANCELLED', 'cancelled by request');
    });
    stopped = true;
    await expect(callModuleText(scope, executorCall())).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(server.requests).toHaveLength(0);
    expect(await llmCalls(sink)).toBe(0);
    stopped = false;
    await expect(callModuleText(scope, executorCall())).resolves.toMatchObject({ value: 'ANSWER' });
    expect(server.requests).toHaveLength(1);
  });
});
