// One attempt at one task: its status (checked against the transition table), its usage, its module calls.
import type { DependencyContext, TaskStatus, TokenUsage } from '../../contracts/index.js';
import { addUsage, assertTransition, emptyUsage } from '../../contracts/index.js';
import { AGGREGATOR_SYSTEM_PROMPT } from '../modules/aggregator.js';
import { ATOMIZER_SYSTEM_PROMPT } from '../modules/atomizer.js';
import { executorSystemPrompt } from '../modules/executor.js';
import type { ModuleCall } from '../modules/model-call.js';
import type { EngineModuleName } from '../modules/module-settings.js';
import { resolveModuleSettings } from '../modules/module-settings.js';
import { PLANNER_SYSTEM_PROMPT } from '../modules/planner.js';
import type { TaskPromptInput } from '../modules/task-prompt.js';
import { VERIFIER_SYSTEM_PROMPT } from '../modules/verifier.js';
import type { RunContext, TaskSpec } from './run-context.js';

const DEFAULT_PROMPTS: Record<Exclude<EngineModuleName, 'executor'>, string> = {
  atomizer: ATOMIZER_SYSTEM_PROMPT,
  planner: PLANNER_SYSTEM_PROMPT,
  aggregator: AGGREGATOR_SYSTEM_PROMPT,
  verifier: VERIFIER_SYSTEM_PROMPT,
};

/** One attempt at one task: its status (checked against the transition table) and its own usage. */
export class TaskAttempt {
  status: TaskStatus = 'PENDING';
  usage: TokenUsage = emptyUsage();

  constructor(
    readonly run: RunContext,
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
