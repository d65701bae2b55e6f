// The `solve` tool: runs a goal to its end, reporting progress as tasks finish and honouring the client's cancel.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RomaConfig } from '../config/index.js';
import type { SolveToolInput, StreamEvent } from '../contracts/index.js';
import { type ExecutionHandle, runEngineConfig } from '../engine/index.js';
import type { Runtime } from '../runtime/index.js';

import { reportText, runReport } from './run-report.js';
import type { RunOwnership } from './tenancy.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Progress notifications are rate-bound: a wide tree must not flood a client (the last one always goes). */
const MIN_PROGRESS_INTERVAL_MS = 100;

export interface SolveToolDeps {
  runtime: Runtime;
  /** The config of a named profile (`profile` in the call); absent: profiles are refused. */
  loadProfile?: (name: string) => RomaConfig;
  ownership: RunOwnership;
  /** A warning of a run, for the client's log at its chosen level. */
  onWarning: (message: string, extra: Extra) => void;
}

function progressLine(event: StreamEvent): string | null {
  switch (event.type) {
    case 'task-end':
      return `task ${event.taskId} ${event.status.toLowerCase()}`;
    case 'task-planned':
      return `task ${event.taskId} planned ${event.subtasks.length} subtasks`;
    case 'execution-end':
      return `run ${event.status.toLowerCase()}`;
    default:
      return null;
  }
}

/** Tasks of a run started and finished so far (from its events in this process): a task's progress. */
export interface SolveProgress {
  finished: number;
  tasks: number;
}

export interface StartedSolve {
  handle: ExecutionHandle;
  progress: SolveProgress;
  /** Resolves once every progress notification queued so far has been handed to the transport. */
  flushed(): Promise<void>;
}

/**
 * Starts the run of a `solve` call; progress goes to the call's progress token through `send` (default: on the
 * call's own stream).
 */
export function startSolve(
  deps: SolveToolDeps,
  input: SolveToolInput,
  extra: Extra,
  send: (notification: ServerNotification) => Promise<void> = extra.sendNotification,
  metadata: Record<string, string> = {},
): StartedSolve {
  const { runtime } = deps;
  const base = input.profile ? profileConfig(deps, input.profile) : runtime.config;
  // A client can only tighten the operator's limits, never lift them.
  const engineConfig = runEngineConfig(
    { engine: base.engine, ptc: base.ptc, sandbox: base.sandbox, cache: base.cache },
    input,
    { limits: 'tighten', field: 'arguments' },
  );
  const progressToken = extra._meta?.progressToken;
  const progress: SolveProgress = { finished: 0, tasks: 0 };
  let lastSentAt = 0;
  let pending: Promise<void> = Promise.resolve();
  const sendProgress = (message: string, force: boolean) => {
    if (progressToken === undefined) return;
    const now = Date.now();
    if (!force && now - lastSentAt < MIN_PROGRESS_INTERVAL_MS) return;
    lastSentAt = now;
    const params = {
      progressToken,
      progress: progress.finished,
      total: Math.max(progress.tasks, progress.finished, 1),
      message,
    };
    // Sent one after another, so the client sees them in order.
    pending = pending.then(() => send({ method: 'notifications/progress', params })).catch(() => undefined);
  };
  const handle = runtime.runs.start(
    {
      goal: input.goal,
      ...(input.model ? { modelId: input.model } : {}),
      metadata: { ...metadata, ...deps.ownership.metadataFor(extra) },
      onEvent: (event) => {
        if (event.type === 'task-start') progress.tasks += 1;
        if (event.type === 'task-end') progress.finished += 1;
        if (event.type === 'warning') deps.onWarning(`${event.code}: ${event.message}`, extra);
        const line = progressLine(event);
        if (line) sendProgress(line, event.type === 'execution-end');
      },
    },
    { config: engineConfig },
  );
  return { handle, progress, flushed: () => pending };
}

/** What `solve` returns for a run, also what `tasks/result` returns for a solve task: the same fold of its log. */
export async function solveResult(runtime: Runtime, executionId: string) {
  const report = runReport(executionId, await runtime.store.readEvents(executionId));
  return {
    content: [{ type: 'text' as const, text: reportText(report) }],
    structuredContent: report,
    isError: report.status === 'FAILED',
  };
}

/** `solve` called directly (not as a task): runs the goal to its end within the call. */
export async function callSolve(deps: SolveToolDeps, input: SolveToolInput, extra: Extra) {
  const { handle, flushed } = startSolve(deps, input, extra);
  // The client's cancel (notifications/cancelled) aborts this call: the run ends CANCELLED, as with Ctrl-C.
  const onAbort = () => handle.cancel('cancelled by the MCP client');
  extra.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await handle.done;
  } finally {
    extra.signal.removeEventListener('abort', onAbort);
  }
  await flushed();
  return solveResult(deps.runtime, handle.executionId);
}

function profileConfig(deps: SolveToolDeps, name: string): RomaConfig {
  if (!deps.loadProfile) {
    throw new Error(`profile "${name}" asked for, but this server was started without a config file`);
  }
  return deps.loadProfile(name);
}
