// A run's stored events as OpenTelemetry spans: run → task (the task tree) → model call, sandbox run → tool call,
// with the GenAI semantic conventions on model and tool calls; no goal, prompt, code or result text unless
// `recordContent` is on.
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import type { StreamEvent } from '../../contracts/index.js';

/** What the fold needs of `@opentelemetry/api` (loaded only when tracing is configured). */
interface OtelApi {
  setSpan(context: Context, span: Span): Context;
  rootContext: Context;
  statusError: number;
  statusOk: number;
  kindInternal: number;
  kindClient: number;
}

interface SpanFoldOptions {
  recordContent: boolean;
  /** Bound on content attributes when recorded. */
  maxContentChars?: number;
}

interface RunSpans {
  run: Span;
  tasks: Map<string, Span>;
  /** Open sandbox runs by plan id, so the tool calls their programs made nest under them. */
  sandboxRuns: Map<string, Span>;
}

function timeOf(event: StreamEvent): number {
  return Date.parse(event.timestamp);
}

/** `anthropic:claude-x` → provider `anthropic`, model `claude-x`. */
function splitModelId(modelId: string): { provider: string; model: string } {
  const colon = modelId.indexOf(':');
  return colon < 0
    ? { provider: 'unknown', model: modelId }
    : { provider: modelId.slice(0, colon), model: modelId.slice(colon + 1) };
}

interface SpanFold {
  apply(event: StreamEvent): void;
  /** Runs with spans still open (tests). */
  openRuns(): number;
}

export function createSpanFold(tracer: Tracer, api: OtelApi, options: SpanFoldOptions): SpanFold {
  const runs = new Map<string, RunSpans>();
  const maxChars = options.maxContentChars ?? 4000;
  const content = (value: string | null | undefined): string | undefined =>
    options.recordContent && value ? value.slice(0, maxChars) : undefined;

  const start = (
    name: string,
    parent: Span | null,
    startTime: number,
    attributes: AttributeInput,
    kind?: number,
  ): Span =>
    tracer.startSpan(
      name,
      { startTime, attributes: clean(attributes), ...(kind === undefined ? {} : { kind }) },
      parent ? api.setSpan(api.rootContext, parent) : api.rootContext,
    );

  const runOf = (event: StreamEvent): RunSpans => {
    let run = runs.get(event.executionId);
    if (!run) {
      // A resumed run (or one whose start this process did not see) gets a fresh root span.
      run = {
        run: start('roma.run', null, timeOf(event), {
          'roma.execution_id': event.executionId,
          'roma.resumed': event.type === 'execution-resume',
        }),
        tasks: new Map(),
        sandboxRuns: new Map(),
      };
      runs.set(event.executionId, run);
    }
    return run;
  };

  const parentOf = (run: RunSpans, taskId: string | null): Span =>
    (taskId ? run.tasks.get(taskId) : undefined) ?? run.run;

  return {
    openRuns: () => runs.size,
    apply(event) {
      switch (event.type) {
        case 'execution-start': {
          const run = runOf(event);
          run.run.setAttributes(
            clean({ 'roma.goal': content(event.goal), 'roma.root_task_id': event.rootTaskId }),
          );
          break;
        }
        case 'execution-resume':
          runOf(event);
          break;
        case 'task-start': {
          const run = runOf(event);
          run.tasks.get(event.taskId)?.end(timeOf(event));
          const parent = event.parentId ? run.tasks.get(event.parentId) : undefined;
          run.tasks.set(
            event.taskId,
            start(`roma.task ${event.taskType}`, parent ?? run.run, timeOf(event), {
              'roma.execution_id': event.executionId,
              'roma.task.id': event.taskId,
              'roma.task.parent_id': event.parentId ?? undefined,
              'roma.task.type': event.taskType,
              'roma.task.depth': event.depth,
              'roma.task.goal': content(event.goal),
            }),
          );
          break;
        }
        case 'task-end': {
          const run = runOf(event);
          const span = run.tasks.get(event.taskId);
          if (!span) break;
          span.setAttributes(
            clean({
              'roma.task.status': event.status,
              'gen_ai.usage.input_tokens': event.usage.inputTokens,
              'gen_ai.usage.output_tokens': event.usage.outputTokens,
              'roma.cost_usd': event.usage.costUsd,
              'roma.task.result': content(event.result),
            }),
          );
          span.setStatus(
            event.status === 'COMPLETED'
              ? { code: api.statusOk }
              : { code: api.statusError, message: event.error?.code ?? event.status },
          );
          span.end(timeOf(event));
          run.tasks.delete(event.taskId);
          break;
        }
        case 'llm-call': {
          const run = runOf(event);
          const { provider, model } = splitModelId(event.model);
          const end = timeOf(event);
          const span = start(
            `chat ${model}`,
            parentOf(run, event.taskId),
            end - event.durationMs,
            {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': provider,
              'gen_ai.system': provider,
              'gen_ai.request.model': model,
              'gen_ai.response.model': model,
              'gen_ai.usage.input_tokens': event.inputTokens,
              'gen_ai.usage.output_tokens': event.outputTokens,
              'roma.cost_usd': event.costUsd,
              'roma.cache_hit': event.cacheHit,
              'roma.module': event.module,
              'roma.task.id': event.taskId ?? undefined,
            },
            api.kindClient,
          );
          if (!event.ok)
            span.setStatus({ code: api.statusError, message: content(event.error) ?? 'model call failed' });
          span.end(end);
          break;
        }
        case 'code-execution-start': {
          const run = runOf(event);
          run.sandboxRuns.get(event.planId)?.end(timeOf(event));
          run.sandboxRuns.set(
            event.planId,
            start('roma.sandbox.run', parentOf(run, event.taskId), timeOf(event), {
              'roma.sandbox.provider': event.provider,
              'roma.sandbox.language': event.language,
              'roma.ptc.iteration': event.iteration,
              'roma.ptc.plan_id': event.planId,
              'roma.sandbox.code': content(event.code),
            }),
          );
          break;
        }
        case 'code-execution-end': {
          const run = runOf(event);
          const span = run.sandboxRuns.get(event.planId);
          if (!span) break;
          span.setAttributes(
            clean({
              'roma.sandbox.exit_code': event.exitCode,
              'roma.sandbox.stopped_by': event.stoppedBy ?? undefined,
              'roma.sandbox.output_truncated': event.truncated,
              'roma.sandbox.stdout': content(event.stdout),
            }),
          );
          if (event.exitCode !== 0)
            span.setStatus({ code: api.statusError, message: `exit code ${event.exitCode}` });
          span.end(timeOf(event));
          run.sandboxRuns.delete(event.planId);
          break;
        }
        case 'tool-call': {
          const run = runOf(event);
          const parent =
            (event.planId ? run.sandboxRuns.get(event.planId) : undefined) ?? parentOf(run, event.taskId);
          const end = timeOf(event);
          const span = start(
            `execute_tool ${event.tool}`,
            parent,
            end - event.durationMs,
            {
              'gen_ai.operation.name': 'execute_tool',
              'gen_ai.tool.name': event.tool,
              'roma.mcp.server': event.server,
              'roma.tool.result_bytes': event.resultBytes,
            },
            api.kindClient,
          );
          if (!event.ok)
            span.setStatus({ code: api.statusError, message: content(event.error) ?? 'tool call failed' });
          span.end(end);
          break;
        }
        case 'execution-end': {
          const run = runOf(event);
          const end = timeOf(event);
          for (const span of run.sandboxRuns.values()) span.end(end);
          for (const span of run.tasks.values()) span.end(end);
          run.run.setAttributes(
            clean({
              'roma.status': event.status,
              'roma.stop_reason': event.reason ?? undefined,
              'roma.node_count': event.nodeCount,
              'gen_ai.usage.input_tokens': event.usage.inputTokens,
              'gen_ai.usage.output_tokens': event.usage.outputTokens,
              'roma.cost_usd': event.usage.costUsd,
              'roma.result': content(event.result),
            }),
          );
          run.run.setStatus(
            event.status === 'COMPLETED'
              ? { code: api.statusOk }
              : { code: api.statusError, message: event.error?.code ?? event.status },
          );
          run.run.end(end);
          runs.delete(event.executionId);
          break;
        }
        default:
          break;
      }
    },
  };
}

type AttributeInput = Record<string, string | number | boolean | undefined>;

function clean(attributes: AttributeInput): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}
