// The PTC code agent: plan in, PTCArtifactResult out; cache, tool catalog and the code or direct loop.
import type { NewStreamEvent, PTCArtifactResult, PTCExecutionPlan, PtcStats } from '../../contracts/index.js';
import { PTCExecutionPlanSchema, parseOrThrow, toRomaError } from '../../contracts/index.js';
import { buildToolCatalog } from '../modules/tool-catalog.js';
import { runCodeLoop } from './code-loop.js';
import { runDirectLoop } from './direct-loop.js';
import { planEvent } from './events.js';
import { newLoopState } from './loop-state.js';
import { planCacheKey } from './plan-hash.js';
import { readCachedResult, shouldReadCache, writeCachedResult } from './result-cache.js';
import type { PtcAgentDeps } from './types.js';

/** Same shape as the engine's `CodeAgentExecuteOptions` (implemented structurally; ptc never imports engine). */
export interface PtcExecuteOptions {
  signal: AbortSignal;
  emit: (event: NewStreamEvent) => Promise<void> | void;
}

/** Satisfies the engine's `CodeAgent`; the HTTP client implements the same. */
export interface PtcCodeAgent {
  execute(plan: PTCExecutionPlan, options: PtcExecuteOptions): Promise<PTCArtifactResult>;
}

export interface PtcAgent extends PtcCodeAgent {
  stats(): PtcStats;
}

function statusFor(code: string): PTCArtifactResult['status'] {
  if (code === 'CANCELLED') return 'CANCELLED';
  if (code === 'TIMEOUT') return 'TIMEOUT';
  return 'FAILURE';
}

export function createPtcAgent(deps: PtcAgentDeps): PtcAgent {
  const mode = deps.mode ?? 'code';
  const totals: PtcStats = {
    executions: 0,
    cacheHits: 0,
    failures: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };

  async function execute(input: PTCExecutionPlan, options: PtcExecuteOptions): Promise<PTCArtifactResult> {
    const plan = parseOrThrow(PTCExecutionPlanSchema, input, 'plan');
    const startedAt = new Date().toISOString();
    const emit = async (event: NewStreamEvent) => {
      deps.onEvent?.(event);
      await options.emit(event);
    };
    totals.executions += 1;
    const cacheKey = deps.cache ? planCacheKey(plan, mode) : null;
    if (deps.cache && cacheKey && shouldReadCache(plan)) {
      const cached = await Promise.resolve(readCachedResult(deps.cache, cacheKey, plan)).catch(() => null);
      if (cached) {
        totals.cacheHits += 1;
        return cached;
      }
    }
    const state = newLoopState();
    let outcome: Pick<PTCArtifactResult, 'status' | 'summary' | 'error' | 'artifacts'>;
    try {
      const catalog = await buildToolCatalog(deps.tools, plan.tools, { signal: options.signal });
      const context = { signal: options.signal, emit };
      for (const entry of catalog.unavailable ?? []) {
        await emit(
          planEvent(plan, 'warning', { taskId: plan.taskId, code: 'TOOL_FAILED', message: entry.error }),
        );
      }
      outcome =
        mode === 'direct'
          ? { ...(await runDirectLoop(plan, catalog, deps, context, state)), artifacts: [] }
          : await runCodeLoop(plan, catalog, deps, context, state);
    } catch (error) {
      const romaError = toRomaError(error, 'PTC_FAILED');
      const code = options.signal.aborted ? 'CANCELLED' : romaError.code;
      const message = deps.tools ? deps.tools.redact(romaError.message) : romaError.message;
      outcome = { status: statusFor(code), summary: '', error: { code, message }, artifacts: [] };
    }
    if (deps.emitArtifactEvents) {
      for (const artifact of outcome.artifacts) {
        await emit(planEvent(plan, 'artifact-created', { taskId: plan.taskId, artifact }));
      }
    }
    const result: PTCArtifactResult = {
      planId: plan.planId,
      taskId: plan.taskId,
      ...outcome,
      executions: state.executions,
      testResults: state.testResults,
      toolCalls: state.toolCalls,
      iterationsUsed: state.executions.length,
      usage: state.usage,
      fromCache: false,
      cacheKey,
      startedAt,
      completedAt: new Date().toISOString(),
    };
    totals.inputTokens += state.usage.inputTokens;
    totals.outputTokens += state.usage.outputTokens;
    totals.costUsd += state.usage.costUsd;
    if (result.status === 'FAILURE' || result.status === 'TIMEOUT') totals.failures += 1;
    if (deps.cache && cacheKey) {
      await Promise.resolve(writeCachedResult(deps.cache, cacheKey, plan, result)).catch(async (error) => {
        await emit(
          planEvent(plan, 'warning', {
            taskId: plan.taskId,
            code: 'CACHE_FAILED',
            message: (error as Error).message,
          }),
        );
      });
    }
    return result;
  }

  return { execute, stats: () => ({ ...totals }) };
}

/** The engine's in-process CodeAgent (the default when PTC_SERVICE_URL is not set). */
export function createInProcessCodeAgent(deps: PtcAgentDeps): PtcAgent {
  return createPtcAgent(deps);
}
