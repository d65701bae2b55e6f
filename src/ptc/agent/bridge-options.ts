// The tool bridge of one plan's run: its tools, its ids on every tool-call event, and where calls are recorded.
import type { PTCExecutionPlan } from '../../contracts/index.js';
import type { ToolBridgeOptions } from '../bridge/tool-bridge.js';
import type { ToolCatalog } from '../modules/tool-catalog.js';
import type { LoopState } from './loop-state.js';
import { createSampler } from './sampling.js';
import type { AgentRunContext, PtcAgentDeps } from './types.js';

export function bridgeOptionsFor(
  plan: PTCExecutionPlan,
  catalog: ToolCatalog,
  deps: PtcAgentDeps,
  context: AgentRunContext,
  state: LoopState,
): ToolBridgeOptions {
  return {
    provider: deps.tools,
    catalog,
    language: plan.language,
    executionId: plan.executionId,
    taskId: plan.taskId,
    planId: plan.planId,
    emit: context.emit,
    signal: context.signal,
    records: state.toolCalls,
    // A server's sampling requests during these calls are answered by the plan's model, in its budget.
    sample: createSampler(plan, deps, context, state),
  };
}
