// Does one step of one task (its model calls, or the code agent's run) and returns its output and usage.
import type {
  CodeAgent,
  DependencyContext,
  ModelCallRelease,
  TaskStep,
  TokenUsage,
} from '../../contracts/index.js';
import { addUsage, emptyUsage, RomaError } from '../../contracts/index.js';
import type { EngineRunConfig } from '../engine-config.js';
import type { EventSink } from '../events/event-sink.js';
import { AGGREGATOR_SYSTEM_PROMPT, aggregate } from '../modules/aggregator.js';
import { ATOMIZER_SYSTEM_PROMPT, atomize } from '../modules/atomizer.js';
import { executeWithModel, executorSystemPrompt } from '../modules/executor.js';
import type { ModelCallScope, ModuleCall } from '../modules/model-call.js';
import type { EngineModuleName } from '../modules/module-settings.js';
import { resolveModuleSettings } from '../modules/module-settings.js';
import { withOutputRetries } from '../modules/output-retry.js';
import { PLANNER_SYSTEM_PROMPT, plan } from '../modules/planner.js';
import type { TaskPromptInput } from '../modules/task-prompt.js';
import { VERIFIER_SYSTEM_PROMPT, verify } from '../modules/verifier.js';
import { checkPlan } from '../plan/validate-plan.js';
import { buildPtcPlan } from '../ptc-plan.js';
import type { StepOutput, StepRequest, StepResult } from './step-request.js';

/** What a step needs from the process that runs it. */
export interface StepScope {
  config: EngineRunConfig;
  modelScope: ModelCallScope;
  codeAgent: CodeAgent | undefined;
  sink: EventSink;
}

const DEFAULT_PROMPTS: Record<Exclude<EngineModuleName, 'executor'>, string> = {
  atomizer: ATOMIZER_SYSTEM_PROMPT,
  planner: PLANNER_SYSTEM_PROMPT,
  aggregator: AGGREGATOR_SYSTEM_PROMPT,
  verifier: VERIFIER_SYSTEM_PROMPT,
};

/** One step's view of its task: the prompt input, module calls, and the usage they add up to. */
class StepTask {
  usage: TokenUsage = emptyUsage();

  constructor(
    readonly scope: StepScope,
    readonly request: StepRequest,
    readonly signal: AbortSignal,
  ) {}

  get prompt(): TaskPromptInput {
    const { task } = this.request;
    return {
      goal: task.goal,
      taskType: task.taskType,
      depth: task.depth,
      maxDepth: this.scope.config.engine.maxDepth,
      parentGoal: task.parentGoal,
      context: this.request.context,
    };
  }

  call(module: EngineModuleName): Omit<ModuleCall, 'prompt' | 'module'> {
    const { taskType } = this.request.task;
    const defaultSystem = module === 'executor' ? executorSystemPrompt(taskType) : DEFAULT_PROMPTS[module];
    return {
      taskId: this.request.taskId,
      taskType,
      settings: resolveModuleSettings(this.scope.config.engine, module, taskType, defaultSystem),
      signal: this.signal,
      onUsage: (usage) => {
        this.usage = addUsage(this.usage, usage);
      },
    };
  }
}

export async function performStep(
  scope: StepScope,
  request: StepRequest,
  signal: AbortSignal,
): Promise<StepResult> {
  const task = new StepTask(scope, request, signal);
  const output = await stepBody(task, request.step);
  return { output, usage: task.usage };
}

function stepBody(task: StepTask, step: TaskStep): Promise<StepOutput> {
  switch (step) {
    case 'atomize':
      return atomizeStep(task);
    case 'plan':
      return planStep(task);
    case 'execute':
      return executeStep(task);
    case 'aggregate':
      return aggregate(
        task.scope.modelScope,
        task.call('aggregator'),
        task.prompt,
        task.request.input.results ?? [],
        task.scope.config.engine.maxContextChars,
      ).then((result) => ({ result }));
    case 'verify':
      return verify(
        task.scope.modelScope,
        task.call('verifier'),
        task.prompt,
        task.request.input.result ?? '',
        task.scope.config.engine.maxContextChars,
      ).then((verdict) => ({ passed: verdict.passed, feedback: verdict.feedback }));
  }
}

async function atomizeStep(task: StepTask): Promise<StepOutput> {
  const decided = await withOutputRetries(
    task.scope.config.engine.maxOutputRetries,
    task.signal,
    async (feedback) => ({
      ok: true as const,
      value: await atomize(task.scope.modelScope, task.call('atomizer'), task.prompt, feedback),
    }),
  );
  if (!decided.ok) {
    const taskId = task.request.taskId;
    throw new RomaError(
      'MODEL_OUTPUT_INVALID',
      `task ${taskId}: the atomizer's answer was invalid: ${decided.problems.at(-1)}`,
      { details: { taskId, problems: decided.problems } },
    );
  }
  return decided.value;
}

async function planStep(task: StepTask): Promise<StepOutput> {
  const { engine } = task.scope.config;
  const { taskId, attempt: replan } = task.request;
  const checked = await withOutputRetries(engine.maxOutputRetries, task.signal, async (feedback) => {
    const answer = await plan(task.scope.modelScope, task.call('planner'), task.prompt, {
      maxSubtasks: engine.maxSubtasks,
      feedback: feedback ?? task.request.input.feedback,
    });
    const check = checkPlan(answer.subtasks, {
      parentTaskId: taskId,
      maxSubtasks: engine.maxSubtasks,
      replan,
    });
    return check.ok
      ? { ok: true as const, value: check.subtasks }
      : { ok: false as const, problem: check.problems.join('; ') };
  });
  if (!checked.ok) {
    const tries = engine.maxOutputRetries + 1;
    throw new RomaError(
      'PLAN_INVALID',
      `task ${taskId}: the planner's answer was invalid ${tries} time(s): ${checked.problems.at(-1)}`,
      {
        details: { taskId, problems: checked.problems },
        fix: 'use a stronger planner model (engine.modules.planner.model), or raise engine.maxOutputRetries',
      },
    );
  }
  return { subtasks: checked.value };
}

function usesCodeAgent(task: StepTask): boolean {
  const { taskType } = task.request.task;
  if (taskType === 'CODE') return true;
  // RETRIEVE goes to the code agent when there are tools for it to call.
  return (
    taskType === 'RETRIEVE' &&
    task.scope.codeAgent !== undefined &&
    Object.keys(task.scope.config.ptc.mcpServers).length > 0
  );
}

async function executeStep(task: StepTask): Promise<StepOutput> {
  const feedback = task.request.input.feedback;
  if (!usesCodeAgent(task)) {
    return {
      result: await executeWithModel(task.scope.modelScope, task.call('executor'), task.prompt, feedback),
    };
  }
  return { result: await executeWithCodeAgent(task, feedback) };
}

/**
 * One model call's slot for the code agent: the run's checks, its share of a budget shared by workers (reserved
 * before, booked after with what the call used), and a place under `maxConcurrency`.
 */
async function acquireCallSlot(modelScope: ModelCallScope, signal: AbortSignal): Promise<ModelCallRelease> {
  await modelScope.beforeCall();
  const settle = await modelScope.reserveCall?.();
  let releaseSlot: () => void;
  try {
    releaseSlot = await modelScope.semaphore.acquire(signal);
  } catch (error) {
    await settle?.(emptyUsage());
    throw error;
  }
  let released = false;
  return async (usage) => {
    if (released) return;
    released = true;
    releaseSlot();
    await settle?.(usage ?? emptyUsage());
  };
}

async function executeWithCodeAgent(task: StepTask, feedback: string | undefined): Promise<string> {
  const { scope, request } = task;
  const taskId = request.taskId;
  const agent = scope.codeAgent;
  if (!agent) {
    throw new RomaError('NO_CODE_EXECUTOR', `task ${taskId}: no code executor configured for CODE tasks`, {
      details: { taskId },
      fix: 'enable the PTC code agent (in process by default once installed, or set PTC_SERVICE_URL / ptc.serviceUrl), or let the planner avoid CODE tasks',
    });
  }
  // The executor's settings already hold `engine.taskTypes.<type>` and `engine.modules.executor`: the plan
  // takes model and cache strategy from them, so each override is applied once, by one rule.
  const settings = task.call('executor').settings;
  const modelId = settings.modelId ?? request.runModelId;
  const context: DependencyContext[] = request.context;
  const ptcPlan = buildPtcPlan(
    {
      executionId: request.executionId,
      taskId,
      goal: request.task.goal,
      taskType: request.task.taskType,
      depth: request.task.depth,
      attempt: request.attempt,
      ...(modelId ? { modelId } : {}),
      ...(settings.cacheStrategy ? { cacheStrategy: settings.cacheStrategy } : {}),
      ...(feedback ? { feedback } : {}),
    },
    context,
    scope.config,
  );
  const modelScope = scope.modelScope;
  await scope.sink.durable();
  await modelScope.beforeCall();
  // `maxConcurrency` counts model calls: an agent that takes a slot per call holds none while its program
  // runs; one whose calls this process cannot see holds one, and one budget reservation, for the whole execution.
  const release = agent.takesModelCallSlots ? undefined : await acquireCallSlot(modelScope, task.signal);
  let result: Awaited<ReturnType<typeof agent.execute>> | undefined;
  try {
    result = await agent.execute(ptcPlan, {
      signal: task.signal,
      emit: async (event) => {
        await scope.sink.emitForeign(event);
      },
      acquireModelCallSlot: (signal) => acquireCallSlot(modelScope, signal),
    });
  } finally {
    await release?.(result?.usage);
  }
  task.usage = addUsage(task.usage, result.usage);
  for (const artifact of result.artifacts) {
    await scope.sink.emit({ type: 'artifact-created', taskId, artifact });
  }
  if (result.status === 'CANCELLED') {
    throw new RomaError('CANCELLED', `task ${taskId}: the code agent was cancelled`);
  }
  if (result.status === 'FAILURE' || result.status === 'TIMEOUT') {
    const why = result.error ? `${result.error.code}: ${result.error.message}` : result.status;
    throw new RomaError('PTC_FAILED', `task ${taskId}: the code agent ended with ${result.status} (${why})`, {
      details: { taskId, planId: result.planId },
    });
  }
  return result.summary;
}
