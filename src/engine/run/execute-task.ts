// Executes an atomic task: a model call for THINK/WRITE/RETRIEVE, the code agent for CODE; verified when enabled.
import { addUsage, RomaError } from '../../contracts/index.js';
import { executeWithModel } from '../modules/executor.js';
import { buildPtcPlan } from '../ptc-plan.js';
import type { RunContext, TaskSpec } from './run-context.js';
import type { TaskAttempt } from './task-attempt.js';
import { verifyResult } from './verify-step.js';

export async function executeTask(run: RunContext, attempt: TaskAttempt): Promise<string> {
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
  // The executor's settings already hold `engine.taskTypes.<type>` and `engine.modules.executor`: the plan
  // takes model and cache strategy from them, so each override is applied once, by one rule.
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
      ...(settings.cacheStrategy ? { cacheStrategy: settings.cacheStrategy } : {}),
      ...(feedback ? { feedback } : {}),
    },
    attempt.context,
    run.config,
  );
  run.stopper.throwIfHalted();
  const semaphore = run.modelScope.semaphore;
  // `maxConcurrency` counts model calls: an agent that takes a slot per call holds none while its program
  // runs; one whose calls this process cannot see holds one for the whole execution.
  const release = agent.takesModelCallSlots ? () => undefined : await semaphore.acquire(attempt.signal);
  let result: Awaited<ReturnType<typeof agent.execute>>;
  try {
    result = await agent.execute(ptcPlan, {
      signal: attempt.signal,
      emit: async (event) => {
        await run.sink.emitForeign(event);
      },
      acquireModelCallSlot: async (signal) => {
        run.stopper.throwIfHalted();
        return semaphore.acquire(signal);
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
