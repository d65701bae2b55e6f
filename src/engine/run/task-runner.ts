// Solves one task: atomize, then execute it or plan, run and aggregate its subtasks; verify; record each step.
import type {
  DependencyContext,
  NodeType,
  SubtaskSpec,
  TaskStatus,
  TokenUsage,
} from '../../contracts/index.js';
import { addUsage, assertTransition, emptyUsage, RomaError } from '../../contracts/index.js';
import { AGGREGATOR_SYSTEM_PROMPT, aggregate, type SubtaskResult } from '../modules/aggregator.js';
import { ATOMIZER_SYSTEM_PROMPT, atomize } from '../modules/atomizer.js';
import { executeWithModel, executorSystemPrompt } from '../modules/executor.js';
import type { ModuleCall } from '../modules/model-call.js';
import type { EngineModuleName } from '../modules/module-settings.js';
import { resolveModuleSettings } from '../modules/module-settings.js';
import { withOutputRetries } from '../modules/output-retry.js';
import { PLANNER_SYSTEM_PROMPT, plan } from '../modules/planner.js';
import type { TaskPromptInput } from '../modules/task-prompt.js';
import { VERIFIER_SYSTEM_PROMPT, verify } from '../modules/verifier.js';
import { checkPlan } from '../plan/validate-plan.js';
import { buildPtcPlan } from '../ptc-plan.js';
import { runSiblings } from '../scheduler/sibling-scheduler.js';
import type { RunContext, TaskSpec } from './run-context.js';
import type { TaskOutcome } from './task-outcome.js';
import { chainedError, outcomeFromError, taskErrorOf } from './task-outcome.js';

const DEFAULT_PROMPTS: Record<Exclude<EngineModuleName, 'executor'>, string> = {
  atomizer: ATOMIZER_SYSTEM_PROMPT,
  planner: PLANNER_SYSTEM_PROMPT,
  aggregator: AGGREGATOR_SYSTEM_PROMPT,
  verifier: VERIFIER_SYSTEM_PROMPT,
};

/** One attempt at one task: its status (checked against the transition table) and its own usage. */
class TaskAttempt {
  status: TaskStatus = 'PENDING';
  usage: TokenUsage = emptyUsage();

  constructor(
    private readonly run: RunContext,
    readonly spec: TaskSpec,
    readonly context: DependencyContext[],
    readonly signal: AbortSignal,
  ) {}

  get prompt(): TaskPromptInput {
    return {
      goal: this.spec.goal,
      taskType: this.spec.taskType,
      depth: this.spec.depth,
      maxDepth: this.run.config.engine.maxDepth,
      parentGoal: this.spec.parentGoal,
      context: this.context,
    };
  }

  async moveTo(status: TaskStatus): Promise<void> {
    assertTransition(this.status, status, this.spec.id);
    const previousStatus = this.status;
    this.status = status;
    await this.run.sink.emit({ type: 'task-status', taskId: this.spec.id, status, previousStatus });
  }

  call(module: EngineModuleName): Omit<ModuleCall, 'prompt' | 'module'> {
    const defaultSystem =
      module === 'executor' ? executorSystemPrompt(this.spec.taskType) : DEFAULT_PROMPTS[module];
    return {
      taskId: this.spec.id,
      taskType: this.spec.taskType,
      settings: resolveModuleSettings(this.run.config.engine, module, this.spec.taskType, defaultSystem),
      signal: this.signal,
      onUsage: (usage) => {
        this.usage = addUsage(this.usage, usage);
      },
    };
  }
}

export async function solveTask(
  run: RunContext,
  spec: TaskSpec,
  context: DependencyContext[],
  signal: AbortSignal,
): Promise<TaskOutcome> {
  const recorded = run.resume?.tasks.get(spec.id);
  // A finished task is never redone: its result comes from the log, its model calls are not repeated.
  if (recorded?.end?.status === 'COMPLETED')
    return { status: 'COMPLETED', result: recorded.end.result ?? '' };
  if (signal.aborted) return outcomeFromError(signal.reason, signal);
  if (!run.stopper.hasStarted(spec.id) && run.stopper.check(spec.depth)) {
    return outcomeFromError(run.stopper.signal.reason, run.stopper.signal);
  }
  run.stopper.registerTask(spec.id);
  await run.sink.emit({
    type: 'task-start',
    taskId: spec.id,
    parentId: spec.parentId,
    goal: spec.goal,
    depth: spec.depth,
    maxDepth: run.config.engine.maxDepth,
    taskType: spec.taskType,
    dependencies: spec.dependencies,
  });
  const attempt = new TaskAttempt(run, spec, context, signal);
  let outcome: TaskOutcome;
  try {
    const result = await runTaskBody(run, attempt);
    outcome = { status: 'COMPLETED', result };
  } catch (error) {
    outcome = outcomeFromError(error, signal);
  }
  if (outcome.status !== 'COMPLETED' || attempt.status !== 'PENDING') {
    // Terminal statuses are reached only through task-end; the table still has to allow the step.
    assertTransition(attempt.status, outcome.status, spec.id);
  }
  await run.sink.emit({
    type: 'task-end',
    taskId: spec.id,
    status: outcome.status,
    result: outcome.status === 'COMPLETED' ? outcome.result : null,
    error: outcome.status === 'COMPLETED' ? null : outcome.error,
    usage: attempt.usage,
  });
  return outcome;
}

async function decideNodeType(run: RunContext, attempt: TaskAttempt): Promise<NodeType> {
  const { spec } = attempt;
  const recorded = run.resume?.tasks.get(spec.id)?.nodeType ?? null;
  if (spec.depth >= run.config.engine.maxDepth) {
    if (recorded === null) {
      await run.sink.emit({
        type: 'task-atomized',
        taskId: spec.id,
        nodeType: 'EXECUTE',
        forcedByDepth: true,
      });
    }
    return 'EXECUTE';
  }
  await attempt.moveTo('ATOMIZING');
  // Recorded before a crash: reuse the decision rather than asking (and paying) again.
  if (recorded !== null) return recorded;
  const decided = await withOutputRetries(
    run.config.engine.maxOutputRetries,
    attempt.signal,
    async (feedback) => ({
      ok: true as const,
      value: await atomize(run.modelScope, attempt.call('atomizer'), attempt.prompt, feedback),
    }),
  );
  if (!decided.ok) {
    throw new RomaError(
      'MODEL_OUTPUT_INVALID',
      `task ${spec.id}: the atomizer's answer was invalid: ${decided.problems.at(-1)}`,
      {
        details: { taskId: spec.id, problems: decided.problems },
      },
    );
  }
  await run.sink.emit({
    type: 'task-atomized',
    taskId: spec.id,
    nodeType: decided.value.nodeType,
    forcedByDepth: false,
    reason: decided.value.reason,
  });
  return decided.value.nodeType;
}

async function runTaskBody(run: RunContext, attempt: TaskAttempt): Promise<string> {
  run.stopper.throwIfHalted();
  const nodeType = await decideNodeType(run, attempt);
  return nodeType === 'EXECUTE' ? executeTask(run, attempt) : planTask(run, attempt);
}

async function verifyResult(
  run: RunContext,
  attempt: TaskAttempt,
  result: string,
  round: number,
): Promise<{ passed: boolean; feedback: string; retry: boolean }> {
  await attempt.moveTo('VERIFYING');
  const verdict = await verify(
    run.modelScope,
    attempt.call('verifier'),
    attempt.prompt,
    result,
    run.config.engine.maxContextChars,
  );
  await run.sink.emit({
    type: 'task-verified',
    taskId: attempt.spec.id,
    passed: verdict.passed,
    feedback: verdict.feedback,
  });
  if (verdict.passed) return { ...verdict, retry: false };
  if (round < run.config.engine.maxReplans) return { ...verdict, retry: true };
  // Out of replans: keep the last result rather than throw the work away, and say so in the log.
  await run.sink.emit({
    type: 'warning',
    taskId: attempt.spec.id,
    code: 'VERIFICATION_FAILED',
    message: `task ${attempt.spec.id}: the verifier still rejects the result after ${round} replan(s) (engine.maxReplans); keeping it: ${verdict.feedback}`,
  });
  return { ...verdict, retry: false };
}

async function executeTask(run: RunContext, attempt: TaskAttempt): Promise<string> {
  await attempt.moveTo('EXECUTING');
  let feedback: string | undefined;
  // Bounded: at most 1 + maxReplans executions.
  for (let round = 0; ; round += 1) {
    const result = await executeOnce(run, attempt, round, feedback);
    if (!run.config.engine.verify) return result;
    const verdict = await verifyResult(run, attempt, result, round);
    if (!verdict.retry) return result;
    feedback = verdict.feedback;
    await attempt.moveTo('EXECUTING');
  }
}

function usesCodeAgent(run: RunContext, taskType: TaskSpec['taskType']): boolean {
  if (taskType === 'CODE') return true;
  // RETRIEVE goes to the code agent when there are tools for it to call.
  return (
    taskType === 'RETRIEVE' &&
    run.codeAgent !== undefined &&
    Object.keys(run.config.ptc.mcpServers).length > 0
  );
}

async function executeOnce(
  run: RunContext,
  attempt: TaskAttempt,
  round: number,
  feedback: string | undefined,
): Promise<string> {
  if (!usesCodeAgent(run, attempt.spec.taskType)) {
    return executeWithModel(run.modelScope, attempt.call('executor'), attempt.prompt, feedback);
  }
  const agent = run.codeAgent;
  if (!agent) {
    throw new RomaError(
      'NO_CODE_EXECUTOR',
      `task ${attempt.spec.id}: no code executor configured for CODE tasks`,
      {
        details: { taskId: attempt.spec.id },
        fix: 'enable the PTC code agent (in process by default once installed, or set PTC_SERVICE_URL / ptc.serviceUrl), or let the planner avoid CODE tasks',
      },
    );
  }
  const settings = attempt.call('executor').settings;
  const modelId = settings.modelId ?? run.runModelId;
  const ptcPlan = buildPtcPlan(
    {
      executionId: run.executionId,
      taskId: attempt.spec.id,
      goal: attempt.spec.goal,
      taskType: attempt.spec.taskType,
      depth: attempt.spec.depth,
      attempt: round,
      ...(modelId ? { modelId } : {}),
      ...(feedback ? { feedback } : {}),
    },
    attempt.context,
    run.config,
  );
  run.stopper.throwIfHalted();
  const release = await run.modelScope.semaphore.acquire(attempt.signal);
  let result: Awaited<ReturnType<typeof agent.execute>>;
  try {
    result = await agent.execute(ptcPlan, {
      signal: attempt.signal,
      emit: async (event) => {
        await run.sink.emitForeign(event);
      },
    });
  } finally {
    release();
  }
  attempt.usage = addUsage(attempt.usage, result.usage);
  for (const artifact of result.artifacts) {
    await run.sink.emit({ type: 'artifact-created', taskId: attempt.spec.id, artifact });
  }
  if (result.status === 'CANCELLED') {
    throw new RomaError('CANCELLED', `task ${attempt.spec.id}: the code agent was cancelled`);
  }
  if (result.status === 'FAILURE' || result.status === 'TIMEOUT') {
    const why = result.error ? `${result.error.code}: ${result.error.message}` : result.status;
    throw new RomaError(
      'PTC_FAILED',
      `task ${attempt.spec.id}: the code agent ended with ${result.status} (${why})`,
      {
        details: { taskId: attempt.spec.id, planId: result.planId },
      },
    );
  }
  return result.summary;
}

async function planOnce(
  run: RunContext,
  attempt: TaskAttempt,
  replan: number,
  verifierFeedback: string | undefined,
): Promise<SubtaskSpec[]> {
  const { spec } = attempt;
  const maxSubtasks = run.config.engine.maxSubtasks;
  const checked = await withOutputRetries(
    run.config.engine.maxOutputRetries,
    attempt.signal,
    async (feedback) => {
      const answer = await plan(run.modelScope, attempt.call('planner'), attempt.prompt, {
        maxSubtasks,
        feedback: feedback ?? verifierFeedback,
      });
      const check = checkPlan(answer.subtasks, { parentTaskId: spec.id, maxSubtasks, replan });
      return check.ok
        ? { ok: true as const, value: check.subtasks }
        : { ok: false as const, problem: check.problems.join('; ') };
    },
  );
  if (!checked.ok) {
    const tries = run.config.engine.maxOutputRetries + 1;
    throw new RomaError(
      'PLAN_INVALID',
      `task ${spec.id}: the planner's answer was invalid ${tries} time(s): ${checked.problems.at(-1)}`,
      {
        details: { taskId: spec.id, problems: checked.problems },
        fix: 'use a stronger planner model (engine.modules.planner.model), or raise engine.maxOutputRetries',
      },
    );
  }
  await run.sink.emit({ type: 'task-planned', taskId: spec.id, subtasks: checked.value, replan });
  return checked.value;
}

async function runChildren(
  run: RunContext,
  attempt: TaskAttempt,
  subtasks: SubtaskSpec[],
): Promise<SubtaskResult[]> {
  const { spec } = attempt;
  const outcomes = await runSiblings(subtasks, {
    start: (subtask, context, signal) =>
      solveTask(
        run,
        {
          id: subtask.id,
          parentId: spec.id,
          goal: subtask.goal,
          depth: spec.depth + 1,
          taskType: subtask.taskType,
          dependencies: subtask.dependencies,
          parentGoal: spec.goal,
        },
        context,
        signal,
      ),
    skipForFailedDependency: async (subtask, failed) => {
      const error = taskErrorOf(
        chainedError(
          'DEPENDENCY_FAILED',
          `task ${subtask.id} not run: its dependency ${failed.taskId} failed`,
          failed,
        ),
      );
      run.stopper.registerTask(subtask.id);
      await run.sink.emit({
        type: 'task-start',
        taskId: subtask.id,
        parentId: spec.id,
        goal: subtask.goal,
        depth: spec.depth + 1,
        maxDepth: run.config.engine.maxDepth,
        taskType: subtask.taskType,
        dependencies: subtask.dependencies,
      });
      await run.sink.emit({
        type: 'task-end',
        taskId: subtask.id,
        status: 'FAILED',
        result: null,
        error,
        usage: emptyUsage(),
      });
      return { status: 'FAILED', error };
    },
    continueOnFailure: run.config.engine.continueOnFailure,
    maxContextChars: run.config.engine.maxContextChars,
    signal: attempt.signal,
  });
  if (attempt.signal.aborted) throw attempt.signal.reason;
  const results: SubtaskResult[] = [];
  for (const subtask of subtasks) {
    const outcome = outcomes.get(subtask.id);
    if (outcome?.status === 'COMPLETED') {
      results.push({ taskId: subtask.id, goal: subtask.goal, result: outcome.result });
      continue;
    }
    if (outcome && outcome.status === 'FAILED' && run.config.engine.continueOnFailure) {
      results.push({ taskId: subtask.id, goal: subtask.goal, result: null, error: outcome.error.message });
      continue;
    }
    if (outcome?.status === 'FAILED') {
      throw chainedError(
        'TASK_FAILED',
        `task ${spec.id} failed: subtask ${subtask.id} failed: ${outcome.error.message}`,
        {
          taskId: subtask.id,
          error: outcome.error,
        },
      );
    }
  }
  // Without continueOnFailure, a missing or cancelled outcome means a sibling failed first; find it.
  const failed = [...outcomes].find(([, outcome]) => outcome.status === 'FAILED');
  if (failed && failed[1].status === 'FAILED' && !run.config.engine.continueOnFailure) {
    throw chainedError('TASK_FAILED', `task ${spec.id} failed: subtask ${failed[0]} failed`, {
      taskId: failed[0],
      error: failed[1].error,
    });
  }
  if (results.length !== subtasks.length) {
    const cancelled = [...outcomes].find(([, outcome]) => outcome.status === 'CANCELLED');
    throw new RomaError('CANCELLED', `task ${spec.id}: subtask ${cancelled?.[0] ?? '?'} did not finish`);
  }
  return results;
}

async function planTask(run: RunContext, attempt: TaskAttempt): Promise<string> {
  const recordedPlan = run.resume?.tasks.get(attempt.spec.id)?.plan ?? null;
  let replan = recordedPlan?.replan ?? 0;
  let subtasks: SubtaskSpec[] | null = recordedPlan?.subtasks ?? null;
  let verifierFeedback: string | undefined;
  // Bounded: at most 1 + maxReplans plans (a resumed plan keeps its replan number).
  for (;;) {
    await attempt.moveTo('PLANNING');
    subtasks ??= await planOnce(run, attempt, replan, verifierFeedback);
    await attempt.moveTo('WAITING_FOR_CHILDREN');
    const results = await runChildren(run, attempt, subtasks);
    await attempt.moveTo('AGGREGATING');
    const result = await aggregate(
      run.modelScope,
      attempt.call('aggregator'),
      attempt.prompt,
      results,
      run.config.engine.maxContextChars,
    );
    if (!run.config.engine.verify) return result;
    const verdict = await verifyResult(run, attempt, result, replan);
    if (!verdict.retry) return result;
    replan += 1;
    verifierFeedback = verdict.feedback;
    subtasks = null;
  }
}
