// The PTC code agent: plan in, PTCArtifactResult out; cache, tool catalog and the code or direct loop.
import { createPtcResultCache } from '../../cache/ptc-result-cache.js';
import { redactJsonValue } from '../../config/secrets.js';
import type {
  CodeAgent,
  CodeAgentExecuteOptions,
  NewStreamEvent,
  PTCArtifactResult,
  PTCExecutionPlan,
  PtcStats,
} from '../../contracts/index.js';
import { emptyUsage, PTCExecutionPlanSchema, parseOrThrow, toRomaError } from '../../contracts/index.js';
import { buildToolCatalog } from '../modules/tool-catalog.js';
import { runCodeLoop } from './code-loop.js';
import { runDirectLoop } from './direct-loop.js';
import { cacheHitEvent, planEvent } from './events.js';
import { newLoopState } from './loop-state.js';
import { agentRedactor } from './redaction.js';
import type { PtcAgentDeps } from './types.js';

/** The in-process agent: a `CodeAgent` (src/contracts/code-agent.ts) with its stats. */
export interface PtcAgent extends CodeAgent {
  stats(): PtcStats;
  /** Writes the result cache's pending stats counters; call before the cache store closes. */
  flush(): Promise<void>;
}

function statusFor(code: string): PTCArtifactResult['status'] {
  if (code === 'CANCELLED') return 'CANCELLED';
  if (code === 'TIMEOUT') return 'TIMEOUT';
  return 'FAILURE';
}

export function createPtcAgent(deps: PtcAgentDeps): PtcAgent {
  const mode = deps.mode ?? 'code';
  const redact = agentRedactor(deps);
  const totals: PtcStats = {
    executions: 0,
    cacheHits: 0,
    failures: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };

  // The cache folder's PTC result cache: plan identity, strategy/TTL rules, corrupt entries, stats, single-flight.
  const resultCache = deps.cache
    ? createPtcResultCache(deps.cache, {
        mode,
        ...(deps.models.defaultModelId ? { defaultModelId: deps.models.defaultModelId } : {}),
      })
    : undefined;

  // Nothing the agent emits or returns may carry a secret, whatever a program printed or a server sent; the
  // service's hub (`onEvent`) sees every event the caller does.
  function emitterFor(options: CodeAgentExecuteOptions) {
    return async (event: NewStreamEvent) => {
      const safe = redactJsonValue(event, redact);
      deps.onEvent?.(safe);
      await options.emit(safe);
    };
  }

  async function run(
    plan: PTCExecutionPlan,
    options: CodeAgentExecuteOptions,
    cacheKey: string | null,
  ): Promise<PTCArtifactResult> {
    const startedAt = new Date().toISOString();
    const emit = emitterFor(options);
    const state = newLoopState();
    let outcome: Pick<PTCArtifactResult, 'status' | 'summary' | 'error' | 'artifacts' | 'artifactsRefused'>;
    try {
      const catalog = await buildToolCatalog(deps.tools, plan.tools, { signal: options.signal });
      const context = {
        signal: options.signal,
        emit,
        redact,
        ...(options.acquireModelCallSlot ? { acquireModelCallSlot: options.acquireModelCallSlot } : {}),
      };
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
      outcome = {
        status: statusFor(code),
        summary: '',
        error: { code, message: redact(romaError.message) },
        artifacts: [],
      };
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
    const safeResult = redactJsonValue(result, redact);
    totals.inputTokens += state.usage.inputTokens;
    totals.outputTokens += state.usage.outputTokens;
    totals.costUsd += state.usage.costUsd;
    if (result.status === 'FAILURE' || result.status === 'TIMEOUT') totals.failures += 1;
    return safeResult;
  }

  async function execute(
    input: PTCExecutionPlan,
    options: CodeAgentExecuteOptions,
  ): Promise<PTCArtifactResult> {
    const plan = parseOrThrow(PTCExecutionPlanSchema, input, 'plan');
    totals.executions += 1;
    if (!resultCache) return run(plan, options, null);
    const cacheKey = resultCache.keyFor(plan);
    try {
      // A hit, or this plan run once for every concurrent identical plan; stored as the plan's strategy allows.
      const result = await resultCache.getOrRun(plan, () => run(plan, options, cacheKey), {
        signal: options.signal,
      });
      if (result.fromCache) {
        totals.cacheHits += 1;
        await emitterFor(options)(cacheHitEvent(plan, result));
      }
      return result;
    } catch (error) {
      // getOrRun throws only this caller's abort while it waits for an identical plan's answer (run never throws).
      const romaError = toRomaError(error, 'PTC_FAILED');
      const code = options.signal.aborted ? 'CANCELLED' : romaError.code;
      if (code !== 'CANCELLED') totals.failures += 1;
      const now = new Date().toISOString();
      return {
        planId: plan.planId,
        taskId: plan.taskId,
        status: statusFor(code),
        summary: '',
        error: { code, message: redact(romaError.message) },
        artifacts: [],
        executions: [],
        testResults: [],
        toolCalls: [],
        iterationsUsed: 0,
        usage: emptyUsage(),
        fromCache: false,
        cacheKey,
        startedAt: now,
        completedAt: now,
      };
    }
  }

  return {
    execute,
    takesModelCallSlots: true,
    stats: () => ({ ...totals }),
    flush: async () => {
      await resultCache?.flush();
    },
  };
}
