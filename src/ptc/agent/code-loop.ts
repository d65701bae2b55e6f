// The prompt → test → code loop: the model writes a program, the sandbox runs it, bounded output goes back.
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ModelMessage } from 'ai';
import type { PTCArtifactResult, PTCExecutionPlan, TestResult } from '../../contracts/index.js';
import { RomaError } from '../../contracts/index.js';
import type { SandboxSession } from '../../sandbox/sandbox.js';
import { createToolHostFunctions } from '../bridge/tool-bridge.js';
import type { ToolCatalog } from '../modules/tool-catalog.js';
import { toolWorkspaceFiles } from '../modules/workspace-files.js';
import { collectArtifacts } from './artifacts.js';
import { storeBinaryResults } from './binary-results.js';
import { bridgeOptionsFor } from './bridge-options.js';
import { planEvent } from './events.js';
import { type LoopState, limitOutcome, type Outcome } from './loop-state.js';
import { callModelTurn, planModel } from './model-turn.js';
import { boundOutput } from './output-bound.js';
import { codeSystemPrompt, LAST_TURN_NOTE, taskMessage } from './prompt.js';
import { parseReply } from './reply-parser.js';
import { runProgram } from './run-program.js';
import { runReport } from './run-report.js';
import type { AgentRunContext, PtcAgentDeps } from './types.js';

const STDERR_SHARE = 0.25;
export async function runCodeLoop(
  plan: PTCExecutionPlan,
  catalog: ToolCatalog,
  deps: PtcAgentDeps,
  context: AgentRunContext,
  state: LoopState,
): Promise<Outcome & Pick<PTCArtifactResult, 'artifacts' | 'artifactsRefused'>> {
  const { model, modelId } = planModel(plan, deps);
  const sandbox = await deps.sandboxFor(plan.sandbox.provider);
  if (!sandbox.capabilities.languages.includes(plan.language)) {
    throw new RomaError(
      'SANDBOX_UNAVAILABLE',
      `the ${sandbox.provider} sandbox cannot run ${plan.language}`,
      {
        field: 'language',
        fix:
          plan.language === 'python'
            ? 'use the process (bubblewrap) or daytona sandbox for Python'
            : 'use the isolate sandbox',
      },
    );
  }
  if (catalog.servers.length > 0 && !sandbox.capabilities.hostFunctions) {
    throw new RomaError('SANDBOX_UNAVAILABLE', `the ${sandbox.provider} sandbox cannot call host tools`, {
      field: 'sandbox.provider',
      fix: 'use the isolate or process sandbox for plans with tools',
    });
  }
  // saveBase64 needs the session, which needs the host functions: bound once the session is open.
  const binary = { session: undefined as SandboxSession | undefined, files: new Map<string, Uint8Array>() };
  const hostFunctions = createToolHostFunctions({
    ...bridgeOptionsFor(plan, catalog, deps, context, state),
    sink: {
      write: async (path, bytes) => {
        // The isolate's workspace holds text only: its binary results wait on the host.
        if (!binary.session || binary.session.provider === 'isolate') binary.files.set(path, bytes);
        else await binary.session.writeFile(path, bytes);
      },
    },
  });
  const session = await sandbox.openSession({
    hostFunctions,
    files: toolWorkspaceFiles(catalog),
    signal: context.signal,
    timeoutMs: plan.sandbox.timeoutMs,
  });
  binary.session = session;
  try {
    const outcome = await iterate(plan, catalog, deps, context, state, session, model, modelId);
    let artifacts: PTCArtifactResult['artifacts'] = [];
    let artifactsRefused: NonNullable<PTCArtifactResult['artifactsRefused']> = [];
    if (deps.artifactStore && outcome.status !== 'CANCELLED') {
      try {
        const collected = await collectArtifacts(session, deps.artifactStore, plan, {
          redact: context.redact,
        });
        artifacts = collected.artifacts;
        artifactsRefused = collected.refused;
        if (artifactsRefused.length > 0) {
          await context.emit(
            planEvent(plan, 'warning', {
              taskId: plan.taskId,
              code: 'STORE_FAILED',
              message: `${artifactsRefused.length} file(s) under results/ not stored: ${artifactsRefused
                .slice(0, 3)
                .map((entry) => `${entry.path} (${entry.reason})`)
                .join('; ')}`,
            }),
          );
        }
        artifacts.push(...(await storeBinaryResults(binary.files, deps.artifactStore, plan, artifacts)));
      } catch (error) {
        await context.emit(
          planEvent(plan, 'warning', {
            taskId: plan.taskId,
            code: 'STORE_FAILED',
            message: `artifacts not stored: ${(error as Error).message}`,
          }),
        );
      }
    }
    return { ...outcome, artifacts, artifactsRefused };
  } finally {
    await session.close().catch(() => undefined);
  }
}

async function iterate(
  plan: PTCExecutionPlan,
  catalog: ToolCatalog,
  deps: PtcAgentDeps,
  context: AgentRunContext,
  state: LoopState,
  session: SandboxSession,
  model: LanguageModelV3,
  modelId: string | undefined,
): Promise<Outcome> {
  const system = codeSystemPrompt(plan, catalog);
  const messages: ModelMessage[] = [{ role: 'user', content: taskMessage(plan) }];
  const { maxIterations, maxOutputChars, tokenBudget } = plan.limits;
  // maxIterations runs, then one last turn in which only a final answer counts.
  for (let turn = 1; turn <= maxIterations + 1; turn += 1) {
    if (context.signal.aborted)
      return { status: 'CANCELLED', summary: '', error: { code: 'CANCELLED', message: 'cancelled' } };
    const spent = state.usage.inputTokens + state.usage.outputTokens;
    if (spent >= tokenBudget)
      return limitOutcome(state, `tokenBudget (${tokenBudget}) spent after ${spent} tokens`);
    const lastTurn = turn > maxIterations;
    const reply = await callModelTurn(plan, { model, modelId, system, messages }, deps, context, state).catch(
      (error: unknown) => {
        if (error instanceof RomaError && error.code === 'BUDGET_EXCEEDED') return error;
        throw error;
      },
    );
    if (reply instanceof RomaError) return limitOutcome(state, reply.message);
    messages.push({ role: 'assistant', content: reply.text });
    const parsed = parseReply(reply.text, plan.language);
    if (parsed.kind === 'final') {
      const lastTest = state.testResults.at(-1);
      if (plan.enableTesting && lastTest && !lastTest.passed) {
        return {
          status: 'PARTIAL_SUCCESS',
          summary: parsed.answer,
          error: { code: 'TASK_FAILED', message: `the last test failed: ${lastTest.message ?? ''}` },
        };
      }
      return { status: 'SUCCESS', summary: parsed.answer, error: null };
    }
    if (lastTurn)
      return limitOutcome(state, `maxIterations (${maxIterations}) reached without a final answer`);

    const iteration = state.executions.length + 1;
    await context.emit(
      planEvent(plan, 'code-execution-start', {
        taskId: plan.taskId,
        planId: plan.planId,
        iteration,
        language: parsed.language,
        provider: session.provider,
        code: parsed.code,
      }),
    );
    const run = await runProgram(plan, catalog, session, parsed.code, context.signal);
    // Secrets out before the cut, so a bound cannot split one into pieces the scrubber no longer sees.
    const stdout = boundOutput(context.redact(run.stdout), maxOutputChars);
    const stderr = boundOutput(
      context.redact(run.stderr),
      Math.max(100, Math.floor(maxOutputChars * STDERR_SHARE)),
    );
    const truncated = run.truncated || stdout.truncated || stderr.truncated;
    state.executions.push({
      iteration,
      language: parsed.language,
      code: parsed.code,
      stdout: stdout.text,
      stderr: stderr.text,
      exitCode: run.exitCode,
      durationMs: run.durationMs,
      truncated,
      stoppedBy: run.stoppedBy,
    });
    await context.emit(
      planEvent(plan, 'code-execution-end', {
        taskId: plan.taskId,
        planId: plan.planId,
        iteration,
        exitCode: run.exitCode,
        durationMs: run.durationMs,
        stdout: stdout.text,
        stderr: stderr.text,
        truncated,
        stoppedBy: run.stoppedBy,
      }),
    );
    if (context.signal.aborted || run.stoppedBy === 'cancelled') {
      return { status: 'CANCELLED', summary: '', error: { code: 'CANCELLED', message: 'cancelled' } };
    }
    let test: TestResult | null = null;
    if (plan.enableTesting && parsed.test && run.exitCode === 0) {
      const testRun = await runProgram(plan, catalog, session, parsed.test, context.signal);
      const message = boundOutput(context.redact(`${testRun.stderr}${testRun.stdout}`.trim()), 1_000).text;
      test = {
        name: `test of run ${iteration}`,
        passed: testRun.exitCode === 0,
        ...(message ? { message } : {}),
      };
      state.testResults.push(test);
    }
    const report = runReport(iteration, run, stdout.text, stderr.text, test);
    messages.push({
      role: 'user',
      content: iteration >= maxIterations ? `${report}\n\n${LAST_TURN_NOTE}` : report,
    });
  }
  return limitOutcome(state, `maxIterations (${maxIterations}) reached without a final answer`);
}
