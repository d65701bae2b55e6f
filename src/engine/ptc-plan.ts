// Builds the PTCExecutionPlan for a CODE (or tool-using) task: a pure function of the node, its context and config.
import type { CacheStrategy, DependencyContext, PTCExecutionPlan, TaskType } from '../contracts/index.js';
import { PTCExecutionPlanSchema, parseOrThrow } from '../contracts/index.js';
import type { EngineRunConfig } from './engine-config.js';

interface PtcPlanNode {
  executionId: string;
  taskId: string;
  goal: string;
  taskType: TaskType;
  depth: number;
  /** 0 for the first try; n when a verifier sent the task back n times (gives each try its own planId). */
  attempt?: number;
  /**
   * Model id for the agent, as the executor's module settings resolved it (`engine.taskTypes`, then
   * `engine.modules.executor`, then the run's model); the plan leaves it out (agent default) when absent.
   */
  modelId?: string;
  /** Cache strategy from the same settings; `cache.strategy` when absent. */
  cacheStrategy?: CacheStrategy;
  /** Verifier feedback from an earlier attempt, passed to the agent as metadata. */
  feedback?: string;
}

/** Python sandboxes are the process (bubblewrap) and Daytona ones; the isolate runs TypeScript. */
function languageFor(provider: EngineRunConfig['sandbox']['provider']): PTCExecutionPlan['language'] {
  return provider === 'isolate' ? 'typescript' : 'python';
}

export function buildPtcPlan(
  node: PtcPlanNode,
  context: readonly DependencyContext[],
  config: EngineRunConfig,
): PTCExecutionPlan {
  const attempt = node.attempt ?? 0;
  const servers = Object.entries(config.ptc.mcpServers).map(([name, server]) =>
    server.allowTools ? { name, allowTools: server.allowTools } : { name },
  );
  return parseOrThrow(
    PTCExecutionPlanSchema,
    {
      // Deterministic, so a repeated plan (resume, re-run) hashes the same for the PTC result cache.
      planId: `${node.executionId}/${node.taskId}${attempt > 0 ? `#${attempt}` : ''}`,
      executionId: node.executionId,
      taskId: node.taskId,
      goal: node.goal,
      context: context.map((entry) => ({ ...entry })),
      language: languageFor(config.sandbox.provider),
      tools: { servers },
      sandbox: {
        provider: config.sandbox.provider,
        timeoutMs: config.sandbox.timeoutMs,
        memoryMb: config.sandbox.memoryMb,
      },
      limits: {
        maxIterations: config.ptc.maxIterations,
        maxOutputChars: config.sandbox.maxOutputChars,
        tokenBudget: config.ptc.tokenBudget,
      },
      enableTesting: config.ptc.enableTesting,
      cacheStrategy: node.cacheStrategy ?? config.cache.strategy,
      cacheTtlSeconds: config.cache.ttlSeconds,
      ...(node.modelId ? { model: node.modelId } : {}),
      metadata: {
        taskType: node.taskType,
        depth: node.depth,
        attempt,
        ...(node.feedback ? { feedback: node.feedback } : {}),
      },
    },
    'ptcPlan',
  );
}
