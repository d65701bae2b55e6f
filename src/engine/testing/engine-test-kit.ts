// Wires the engine for tests: the scripted model server over the real OpenAI SDK path and an SQLite store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RomaConfig } from '../../config/schema.js';
import { defaultConfig } from '../../config/schema.js';
import type { CodeAgent, StreamEvent } from '../../contracts/index.js';
import type {
  ScriptedModelServer,
  ScriptedRequest,
  ScriptedRule,
  ScriptedTree,
} from '../../dev/scripted-model/index.js';
import { startScriptedModelServer, taskLine } from '../../dev/scripted-model/index.js';
import { createModelRegistry } from '../../llm/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { openExecutionStore } from '../../store/index.js';
import type { EngineDependencies } from '../run/engine-types.js';

const SCRIPTED_MODEL_ID = 'openai:scripted';

export interface EngineKit {
  server: ScriptedModelServer;
  store: ExecutionStore;
  dataDir: string;
  config: RomaConfig;
  deps(overrides?: { engine?: Partial<RomaConfig['engine']>; codeAgent?: CodeAgent }): EngineDependencies;
  events(executionId: string): Promise<StreamEvent[]>;
  close(): Promise<void>;
}

export interface EngineKitOptions {
  latencyMs?: number;
  /** Price of the scripted model per million tokens (input and output alike), for cost budgets. */
  pricePerMillionUsd?: number;
  /** Which real SDK provider talks to the scripted server (OpenAI by default). */
  provider?: 'openai' | 'anthropic';
}

export async function createEngineKit(
  rules: ScriptedRule[],
  options: EngineKitOptions = {},
): Promise<EngineKit> {
  const server = await startScriptedModelServer({
    rules,
    ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-engine-'));
  const store = await openExecutionStore({ dataDir }, { sqliteSynchronous: 'NORMAL' });
  const config = defaultConfig();
  config.llm =
    options.provider === 'anthropic'
      ? {
          ...config.llm,
          model: 'anthropic:scripted',
          anthropicBaseUrl: server.anthropicBaseUrl,
          anthropicApiKey: 'test-key',
          maxRetries: 0,
        }
      : {
          ...config.llm,
          model: SCRIPTED_MODEL_ID,
          openaiBaseUrl: server.openaiBaseUrl,
          openaiApiKey: 'test-key',
          maxRetries: 0,
        };
  if (options.pricePerMillionUsd !== undefined) {
    const price = options.pricePerMillionUsd;
    config.llm.prices = { [config.llm.model!]: { inputPerMillionUsd: price, outputPerMillionUsd: price } };
  }
  const models = createModelRegistry(config.llm);
  return {
    server,
    store,
    dataDir,
    config,
    deps: (overrides = {}) => ({
      store,
      models,
      config: { ...config, engine: { ...config.engine, ...overrides.engine } },
      codeAgent: overrides.codeAgent,
      cancelPollIntervalMs: 50,
    }),
    events: (executionId) => store.readEvents(executionId),
    close: async () => {
      await store.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function eventsOfType<T extends StreamEvent['type']>(
  events: readonly StreamEvent[],
  type: T,
): Extract<StreamEvent, { type: T }>[] {
  return events.filter((event): event is Extract<StreamEvent, { type: T }> => event.type === type);
}

export function taskEnd(events: readonly StreamEvent[], taskId: string) {
  return eventsOfType(events, 'task-end')
    .filter((event) => event.taskId === taskId)
    .at(-1);
}

export function taskStart(events: readonly StreamEvent[], taskId: string) {
  return eventsOfType(events, 'task-start')
    .filter((event) => event.taskId === taskId)
    .at(-1);
}

/** The requests of one model role (`marker`, such as 'ROMA executor') about the task `goal`. */
export function requestsAbout(
  requests: readonly ScriptedRequest[],
  marker: string,
  goal: string,
): ScriptedRequest[] {
  return requests.filter((request) => request.text.includes(marker) && request.text.includes(taskLine(goal)));
}

export const CITIES = 'Compare two cities';

/** A flat plan: two cities described at once, then contrasted; the second description takes `secondCityLatencyMs`. */
export function citiesTree(secondCityLatencyMs: number): ScriptedTree {
  return {
    goal: CITIES,
    tasks: {
      [CITIES]: {
        plan: [
          { id: 'a', goal: 'Describe the first city', taskType: 'RETRIEVE', dependencies: [] },
          { id: 'b', goal: 'Describe the second city', taskType: 'RETRIEVE', dependencies: [] },
          { id: 'c', goal: 'Contrast both cities', taskType: 'WRITE', dependencies: ['a', 'b'] },
        ],
        result: 'CITIES COMPARED',
      },
      'Describe the first city': { result: 'FIRST CITY IS OLD' },
      'Describe the second city': { result: 'SECOND CITY IS NEW', latencyMs: secondCityLatencyMs },
      'Contrast both cities': { result: 'OLD VERSUS NEW' },
    },
  };
}
