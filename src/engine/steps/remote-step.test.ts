// A worker's step: its model calls and its end stored in one commit, the calls of a failed step stored all the
// same; in a CODE step the code agent's own model calls reserve and book the run's shared budget, one by one,
// like the engine's calls do; a whole-execution agent (a PTC service) reserves once and books its total.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import type { CodeAgent, ModelResolver, PTCArtifactResult, TokenUsage } from '../../contracts/index.js';
import { emptyUsage, RomaError } from '../../contracts/index.js';
import type { ScriptedModelServer, ScriptedRule } from '../../dev/scripted-model/index.js';
import { startScriptedModelServer } from '../../dev/scripted-model/index.js';
import { createModelRegistry } from '../../llm/index.js';
import { SqliteExecutionStore } from '../../store/index.js';
import { Semaphore } from '../scheduler/semaphore.js';
import { runRemoteStep } from './remote-step.js';
import type { StepRequest } from './step-request.js';

const CALL_USAGE: TokenUsage = { ...emptyUsage(), inputTokens: 90, outputTokens: 10, costUsd: 0.01 };

const noModels: ModelResolver = {
  defaultModelId: 'none',
  resolve: () => {
    throw new Error('the engine makes no model call of its own in a CODE step');
  },
} as unknown as ModelResolver;

function resultOf(usage: TokenUsage): PTCArtifactResult {
  return {
    planId: 'plan',
    status: 'SUCCESS',
    summary: 'done',
    artifacts: [],
    usage,
  } as unknown as PTCArtifactResult;
}

/** An in-process agent that makes `calls` model calls, each through the caller's slot, each costing CALL_USAGE. */
function inProcessAgent(calls: number): CodeAgent {
  return {
    takesModelCallSlots: true,
    execute: async (_plan, options) => {
      let total = emptyUsage();
      for (let call = 0; call < calls; call += 1) {
        const release = await options.acquireModelCallSlot!(options.signal);
        total = { ...total, inputTokens: total.inputTokens + 90, outputTokens: total.outputTokens + 10 };
        await release(CALL_USAGE);
      }
      return resultOf(total);
    },
  };
}

async function runCodeStep(
  agent: CodeAgent,
  reserveCall: () => Promise<(usage: TokenUsage) => Promise<void>>,
) {
  const store = SqliteExecutionStore.open({ filePath: ':memory:' });
  const config = loadConfig({ cwd: '/nonexistent', env: {} });
  await store.createExecution({ id: 'run-budget', goal: 'count' });
  const request: StepRequest = {
    executionId: 'run-budget',
    taskId: 'root',
    step: 'execute',
    attempt: 0,
    segment: 1,
    resumed: false,
    engine: config.engine as unknown as Record<string, unknown>,
    task: { goal: 'compute something', taskType: 'CODE', depth: 0, parentGoal: null },
    context: [],
    input: {},
  };
  try {
    return await runRemoteStep(
      {
        store,
        models: noModels,
        config,
        codeAgent: agent,
        semaphore: new Semaphore(2),
        worker: 'test:1',
      },
      request,
      AbortSignal.timeout(30_000),
      { checkLog: false, reserveCall },
    );
  } finally {
    await store.close();
  }
}

describe('remote CODE step: the code agent inside the shared budget', () => {
  it("reserves before each of the agent's model calls and books what each used", async () => {
    const booked: TokenUsage[] = [];
    let reserved = 0;
    const result = await runCodeStep(inProcessAgent(3), async () => {
      reserved += 1;
      return async (usage) => {
        booked.push(usage);
      };
    });
    expect(result.output).toEqual({ result: 'done' });
    expect(reserved).toBe(3);
    expect(booked).toEqual([CALL_USAGE, CALL_USAGE, CALL_USAGE]);
  });

  it('stops the agent at the call whose reservation is refused (budget spent over all workers)', async () => {
    let reserved = 0;
    const attempt = runCodeStep(inProcessAgent(5), async () => {
      reserved += 1;
      if (reserved === 3) throw new RomaError('BUDGET_EXCEEDED', 'spent over all workers');
      return async () => undefined;
    });
    await expect(attempt).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(reserved).toBe(3);
  });

  it('reserves once for an agent whose calls it cannot see, and books its whole usage', async () => {
    const total: TokenUsage = { ...emptyUsage(), inputTokens: 900, outputTokens: 100 };
    const booked: TokenUsage[] = [];
    let reserved = 0;
    const remoteAgent: CodeAgent = { execute: async () => resultOf(total) };
    await runCodeStep(remoteAgent, async () => {
      reserved += 1;
      return async (usage) => {
        booked.push(usage);
      };
    });
    expect(reserved).toBe(1);
    expect(booked).toEqual([total]);
  });
});

describe('remote step: what it stores', () => {
  let server: ScriptedModelServer | undefined;
  let store: SqliteExecutionStore | undefined;

  afterEach(async () => {
    await store?.close();
    await server?.close();
    store = undefined;
    server = undefined;
  });

  async function runModelStep(rules: ScriptedRule[], step: 'execute' | 'plan') {
    server = await startScriptedModelServer({ rules });
    const config = loadConfig({
      cwd: '/nonexistent',
      env: {
        ROMA_MODEL: 'openai:scripted',
        OPENAI_BASE_URL: server.openaiBaseUrl,
        OPENAI_API_KEY: 'test-key',
        ROMA_LLM_MAX_RETRIES: '0',
        ROMA_CACHE_ENABLED: 'false',
      },
    });
    store = SqliteExecutionStore.open({ filePath: ':memory:' });
    await store.createExecution({ id: 'run-step', goal: 'survey' });
    await store.append({
      type: 'task-start',
      executionId: 'run-step',
      timestamp: new Date().toISOString(),
      taskId: 'root',
      parentId: null,
      goal: 'Survey the districts',
      depth: 0,
      maxDepth: 2,
      taskType: 'THINK',
      dependencies: [],
    });
    const commitsBefore = store.appendCommitStats.commits;
    const request: StepRequest = {
      executionId: 'run-step',
      taskId: 'root',
      step,
      attempt: 0,
      segment: 1,
      resumed: false,
      engine: config.engine as unknown as Record<string, unknown>,
      task: { goal: 'Survey the districts', taskType: 'THINK', depth: 0, parentGoal: null },
      context: [],
      input: {},
    };
    const outcome = await runRemoteStep(
      {
        store,
        models: createModelRegistry(config.llm),
        config,
        codeAgent: undefined,
        semaphore: new Semaphore(2),
        worker: 'test:1',
      },
      request,
      AbortSignal.timeout(30_000),
      { checkLog: false },
    ).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error: error as RomaError }),
    );
    const events = (await store.readEvents('run-step')).slice(1);
    return { outcome, events, commits: store.appendCommitStats.commits - commitsBefore };
  }

  it("stores a step's model call and its end in one commit, the end after the call", async () => {
    const { outcome, events, commits } = await runModelStep(
      [{ reply: { text: 'DISTRICTS SURVEYED' } }],
      'execute',
    );
    expect(outcome).toMatchObject({ ok: true, result: { output: { result: 'DISTRICTS SURVEYED' } } });
    expect(events.map((event) => event.type)).toEqual(['llm-call', 'task-step-end']);
    expect(events.map((event) => event.seq)).toEqual([2, 3]);
    expect(commits).toBe(1);
  });

  it('stores the model calls of a step that failed after them, and no step end', async () => {
    // Both answers name a dependency the plan does not have: the planner is asked twice, then the step fails.
    const badPlan = {
      subtasks: [{ id: 'a', goal: 'Survey district a', taskType: 'THINK', dependencies: ['missing'] }],
    };
    const { outcome, events } = await runModelStep([{ reply: { json: badPlan } }], 'plan');
    expect(outcome).toMatchObject({ ok: false, error: { code: 'PLAN_INVALID' } });
    expect(events.map((event) => event.type)).toEqual(['llm-call', 'llm-call']);
  });
});

describe("remote step: the run's engine settings", () => {
  /** A verify step under `engine`; its outcome's error code (the worker has no model, so good settings end there). */
  async function stepCode(engine: Record<string, unknown>): Promise<string> {
    const store = SqliteExecutionStore.open({ filePath: ':memory:' });
    await store.createExecution({ id: 'run-settings', goal: 'settings' });
    const request: StepRequest = {
      executionId: 'run-settings',
      taskId: 'root',
      step: 'verify',
      attempt: 0,
      segment: 1,
      resumed: false,
      engine,
      task: { goal: 'check it', taskType: 'THINK', depth: 0, parentGoal: null },
      context: [],
      input: { result: 'fine' },
    };
    const noModel = {
      defaultModelId: 'none',
      resolve: () => {
        throw new RomaError('MODEL_NOT_CONFIGURED', 'no model here');
      },
    } as unknown as ModelResolver;
    try {
      return await runRemoteStep(
        {
          store,
          models: noModel,
          config: loadConfig({ cwd: '/nonexistent', env: {} }),
          codeAgent: undefined,
          semaphore: new Semaphore(1),
          worker: 'test:1',
        },
        request,
        AbortSignal.timeout(30_000),
        { checkLog: false },
      ).then(
        () => 'OK',
        (error: unknown) => (error instanceof RomaError ? error.code : String(error)),
      );
    } finally {
      await store.close();
    }
  }

  it('refuses bad settings every time, also after good ones were checked (each distinct settings checked once)', async () => {
    const good = loadConfig({ cwd: '/nonexistent', env: {} }).engine as unknown as Record<string, unknown>;
    const bad = { ...good, maxDepth: -1 };
    // The good settings get as far as the model; the bad ones are refused before it.
    expect(await stepCode(good)).toBe('MODEL_NOT_CONFIGURED');
    expect(await stepCode(bad)).toBe('VALIDATION_FAILED');
    expect(await stepCode(good)).toBe('MODEL_NOT_CONFIGURED');
    expect(await stepCode(bad)).toBe('VALIDATION_FAILED');
  });
});
