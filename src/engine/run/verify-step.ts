// The verifier step of a task: record the verdict; say whether to try again (bounded by maxReplans).
import type { RunContext } from './run-context.js';
import { runStep } from './step-call.js';
import type { TaskAttempt } from './task-attempt.js';

export async function verifyResult(
  run: RunContext,
  attempt: TaskAttempt,
  result: string,
  round: number,
): Promise<{ passed: boolean; feedback: string; retry: boolean }> {
  attempt.moveTo('VERIFYING');
  const verdict = await runStep(run, attempt, 'verify', round, { result });
  run.sink.record({
    type: 'task-verified',
    taskId: attempt.spec.id,
    passed: verdict.passed,
    feedback: verdict.feedback,
  });
  if (verdict.passed) return { ...verdict, retry: false };
  if (round < run.config.engine.maxReplans) return { ...verdict, retry: true };
  // Out of replans: keep the last result rather than throw the work away, and say so in the log.
  run.sink.record({
    type: 'warning',
    taskId: attempt.spec.id,
    code: 'VERIFICATION_FAILED',
    message: `task ${attempt.spec.id}: the verifier still rejects the result after ${round} replan(s) (engine.maxReplans); keeping it: ${verdict.feedback}`,
  });
  return { ...verdict, retry: false };
}
