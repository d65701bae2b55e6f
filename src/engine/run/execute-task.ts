// Executes an atomic task: a model call for THINK/WRITE/RETRIEVE, the code agent for CODE; verified when enabled.
import type { RunContext } from './run-context.js';
import { runStep } from './step-call.js';
import type { TaskAttempt } from './task-attempt.js';
import { verifyResult } from './verify-step.js';

export async function executeTask(run: RunContext, attempt: TaskAttempt): Promise<string> {
  attempt.moveTo('EXECUTING');
  let feedback: string | undefined;
  // Bounded: at most 1 + maxReplans executions.
  for (let round = 0; ; round += 1) {
    const { result } = await runStep(
      run,
      attempt,
      'execute',
      round,
      feedback === undefined ? {} : { feedback },
    );
    if (!run.config.engine.verify) return result;
    const verdict = await verifyResult(run, attempt, result, round);
    if (!verdict.retry) return result;
    feedback = verdict.feedback;
    attempt.moveTo('EXECUTING');
  }
}
