// The run-control tools: runs_list, run_get, run_cancel, run_resume, run_events — each scoped to the caller's runs.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ExecutionStatus } from '../contracts/index.js';
import type { Runtime } from '../runtime/index.js';
import { reportText, runReport } from './run-report.js';
import type { RunOwnership } from './tenancy.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Summaries scanned per `runs_list` call when filtering by tenant; bounds the work one call can cause. */
const MAX_SCANNED_RUNS = 500;

interface RunToolsDeps {
  runtime: Runtime;
  ownership: RunOwnership;
}

function json(value: unknown) {
  return { content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }] };
}

export async function listRuns(
  deps: RunToolsDeps,
  input: { status?: ExecutionStatus | undefined; limit: number },
  extra: Extra,
) {
  const summaries = await deps.runtime.runs.list({
    limit: MAX_SCANNED_RUNS,
    ...(input.status ? { status: input.status } : {}),
  });
  const runs = [];
  for (const summary of summaries) {
    if (runs.length >= input.limit) break;
    if (!(await deps.ownership.isVisible(summary.id, extra))) continue;
    runs.push({
      executionId: summary.id,
      goal: summary.goal,
      status: summary.status,
      createdAt: summary.createdAt,
      usage: summary.usage,
      tasks: summary.nodeCount,
    });
  }
  const output = { runs };
  return { ...json(output), structuredContent: output };
}

export async function getRun(deps: RunToolsDeps, executionId: string, extra: Extra) {
  await deps.ownership.assertVisible(executionId, extra);
  const report = runReport(executionId, await deps.runtime.store.readEvents(executionId));
  return { content: [{ type: 'text' as const, text: reportText(report) }], structuredContent: report };
}

export async function cancelRun(
  deps: RunToolsDeps,
  input: { executionId: string; reason?: string | undefined },
  extra: Extra,
) {
  await deps.ownership.assertVisible(input.executionId, extra);
  const result = await deps.runtime.runs.cancel(input.executionId, {
    reason: input.reason ?? 'cancelled through the MCP server',
  });
  return json({
    executionId: result.executionId,
    outcome: result.outcome,
    status: result.status,
    message: result.message,
  });
}

/** Resumes in the background (a resumed run can be long): the answer says how to watch it. */
export async function resumeRun(deps: RunToolsDeps, executionId: string, extra: Extra) {
  await deps.ownership.assertVisible(executionId, extra);
  const handle = deps.runtime.runs.resume(executionId);
  handle.done.catch((error) => deps.runtime.logger.warn({ err: error, executionId }, 'a resumed run failed'));
  return json({
    executionId,
    status: 'RUNNING',
    message: `resumed; watch it with run_get or run_events, or read roma://runs/${executionId}`,
  });
}

export async function runEvents(
  deps: RunToolsDeps,
  input: { executionId: string; after: number; limit: number },
  extra: Extra,
) {
  await deps.ownership.assertVisible(input.executionId, extra);
  const events = await deps.runtime.store.readEvents(input.executionId, {
    afterSeq: input.after,
    limit: input.limit,
  });
  const last = events.at(-1);
  const ended = last?.type === 'execution-end' && events.length < input.limit;
  const output = {
    events: events as unknown as Array<Record<string, unknown>>,
    nextAfter: ended ? null : (last?.seq ?? input.after),
  };
  return { ...json(output), structuredContent: output };
}
