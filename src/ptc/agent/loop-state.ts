// What the loop accumulates (usage, runs, tests, tool calls) and how it ends when a limit stops it.
import type {
  CodeExecution,
  PTCArtifactResult,
  TestResult,
  TokenUsage,
  ToolCallRecord,
} from '../../contracts/index.js';
import { emptyUsage } from '../../contracts/index.js';

const SUMMARY_MAX_CHARS = 8_000;

export type Outcome = Pick<PTCArtifactResult, 'status' | 'summary' | 'error'>;

export interface LoopState {
  usage: TokenUsage;
  executions: CodeExecution[];
  testResults: TestResult[];
  toolCalls: ToolCallRecord[];
}

function lastSuccessfulOutput(executions: readonly CodeExecution[]): string | null {
  for (let index = executions.length - 1; index >= 0; index -= 1) {
    const execution = executions[index]!;
    if (execution.exitCode === 0) return execution.stdout.trim();
  }
  return null;
}

/** How the loop ends when a limit, not the model, stops it. */
export function limitOutcome(state: LoopState, reason: string): Outcome {
  const error = { code: 'BUDGET_EXCEEDED', message: reason };
  const output = lastSuccessfulOutput(state.executions);
  if (output !== null) {
    return { status: 'PARTIAL_SUCCESS', summary: output.slice(0, SUMMARY_MAX_CHARS), error };
  }
  const last = state.executions.at(-1);
  if (last?.stoppedBy === 'timeout' || last?.stoppedBy === 'interrupt') {
    return {
      status: 'TIMEOUT',
      summary: '',
      error: { code: 'TIMEOUT', message: `${reason}; the last run hit the sandbox time limit` },
    };
  }
  return { status: 'FAILURE', summary: '', error };
}

export function newLoopState(): LoopState {
  return { usage: emptyUsage(), executions: [], testResults: [], toolCalls: [] };
}
