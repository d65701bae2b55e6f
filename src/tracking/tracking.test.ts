// Tracking through the runtime's observers: a demo run becomes an MLflow run and an OTLP span tree mirroring
// its task tree (GenAI attributes, no content unless otel.recordContent); with MLflow down and the collector
// hanging, the run still ends and closing is bounded.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MlflowDouble, startMlflowDouble } from '../../test/support/mlflow/index.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../../test/support/otlp/index.js';
import { defaultConfig, type RomaConfig } from '../config/index.js';
import type { StreamEvent } from '../contracts/index.js';
import { openRuntime } from '../runtime/index.js';
import { openOtelTracing } from './otel/otel-tracing.js';
import { foldRunFigures, tokensKeptOutOfContext } from './run-figures.js';

let dataDir: string;
let double: MlflowDouble | undefined;
let receiver: OtlpReceiver | undefined;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'roma-tracking-'));
});
afterEach(async () => {
  await double?.close();
  await receiver?.close();
  double = undefined;
  receiver = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

function config(overrides: { mlflow?: string; otel?: string; recordContent?: boolean }): RomaConfig {
  const base = defaultConfig();
  return {
    ...base,
    store: { ...base.store, dataDir },
    cache: { ...base.cache, enabled: false },
    server: {
      ...base.server,
      logLevel: 'silent',
      ...(overrides.mlflow ? { mlflowTrackingUri: overrides.mlflow } : {}),
    },
    tracking: { ...base.tracking, mlflowExperiment: `roma-${process.pid}`, flushTimeoutMs: 2_000 },
    otel: {
      ...base.otel,
      ...(overrides.otel ? { endpoint: overrides.otel } : {}),
      recordContent: overrides.recordContent ?? false,
    },
  };
}

async function runDemo(settings: RomaConfig) {
  const runtime = await openRuntime(settings, { demo: { latencyMs: 1 }, logName: 'test' });
  const goal = runtime.demoModel!.goal;
  const secret = runtime.config.llm.openaiApiKey ?? '';
  try {
    const outcome = await runtime.runs.start({ goal }).done;
    const events = await runtime.store.readEvents(outcome.executionId);
    return { runtime, outcome, events, goal, secret };
  } finally {
    await runtime.close();
  }
}

function childrenByParent(spans: ReceivedSpan[]): Map<string, ReceivedSpan[]> {
  const map = new Map<string, ReceivedSpan[]>();
  for (const span of spans) map.set(span.parentSpanId, [...(map.get(span.parentSpanId) ?? []), span]);
  return map;
}

describe('tracking through the runtime', () => {
  it('turns a demo run into an MLflow run and a span tree that mirrors the task tree, without content', async () => {
    double = await startMlflowDouble();
    receiver = await startOtlpReceiver();
    const { runtime, outcome, events, goal, secret } = await runDemo(
      config({ mlflow: double.url, otel: receiver.url }),
    );
    expect(outcome.status).toBe('COMPLETED');
    expect(runtime.tracking.stats().mlflow).toMatchObject({ dropped: 0 });

    const [mlflowRun] = double
      .runsOfExecution(outcome.executionId)
      .filter((run) => !run.tags.has('mlflow.parentRunId'));
    expect(mlflowRun!.params.get('goal')).toBe(goal);
    expect(mlflowRun!.status).toBe('FINISHED');
    // The demo's CODE task is a PTC run: its tool results stayed in the sandbox, not in the model's context.
    const figures = foldRunFigures(events);
    expect(figures.toolCalls).toBeGreaterThan(0);
    expect(mlflowRun!.metrics.get('tool_calls')).toBe(figures.toolCalls);
    expect(mlflowRun!.metrics.get('ptc_tokens_kept_out_of_context')).toBe(tokensKeptOutOfContext(figures));
    expect(mlflowRun!.metrics.get('ptc_tokens_kept_out_of_context')).toBeGreaterThan(0);

    expect(receiver.contentTypes[0]).toBe('application/json');
    const spans = receiver.spans;
    const [root, ...others] = spans.filter((span) => span.name === 'roma.run');
    expect(others).toEqual([]);
    expect(root!.attributes['roma.execution_id']).toBe(outcome.executionId);
    expect(root!.serviceName).toBe('roma-ptc');
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([root!.traceId]));

    // Each task span hangs under its parent task's span (the root task under the run).
    const taskSpans = new Map(
      spans
        .filter((span) => span.name.startsWith('roma.task '))
        .map((span) => [String(span.attributes['roma.task.id']), span]),
    );
    const starts = events.filter((event) => event.type === 'task-start');
    expect([...taskSpans.keys()].sort()).toEqual([...new Set(starts.map((event) => event.taskId))].sort());
    for (const start of starts) {
      const expectedParent = start.parentId ? taskSpans.get(start.parentId)!.spanId : root!.spanId;
      expect(taskSpans.get(start.taskId)!.parentSpanId).toBe(expectedParent);
    }

    // One model-call span per llm-call event, with the GenAI attributes, under its task.
    const calls = events.filter((event) => event.type === 'llm-call');
    const modelSpans = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'chat');
    expect(modelSpans).toHaveLength(calls.length);
    const byParent = childrenByParent(spans);
    for (const call of calls.slice(0, 3)) {
      const parent = call.taskId ? taskSpans.get(call.taskId)! : root!;
      const span = byParent
        .get(parent.spanId)!
        .find(
          (candidate) =>
            candidate.attributes['gen_ai.operation.name'] === 'chat' &&
            candidate.attributes['gen_ai.usage.input_tokens'] === call.inputTokens &&
            candidate.attributes['gen_ai.usage.output_tokens'] === call.outputTokens,
        );
      expect(span, `model-call span of ${call.taskId}`).toBeDefined();
      expect(span!.attributes['gen_ai.request.model']).toBe(call.model.split(':')[1]);
      expect(span!.attributes['roma.cost_usd']).toBe(call.costUsd);
    }

    // The PTC task's sandbox runs hang under its task span, and each tool call under the sandbox run that made it.
    const sandboxSpans = spans.filter((span) => span.name === 'roma.sandbox.run');
    const toolCalls = events.filter((event) => event.type === 'tool-call');
    const toolSpans = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool');
    expect(sandboxSpans).toHaveLength(events.filter((event) => event.type === 'code-execution-start').length);
    expect(toolSpans).toHaveLength(toolCalls.length);
    const taskSpanIds = new Set([...taskSpans.values()].map((span) => span.spanId));
    for (const sandbox of sandboxSpans) expect(taskSpanIds.has(sandbox.parentSpanId)).toBe(true);
    const sandboxSpanIds = new Set(sandboxSpans.map((span) => span.spanId));
    for (const tool of toolSpans) expect(sandboxSpanIds.has(tool.parentSpanId), tool.name).toBe(true);

    // No goal, result or secret text leaves the process without otel.recordContent.
    const sent = receiver.bodies.join('\n');
    expect(sent).not.toContain(goal);
    expect(sent).not.toContain('Sunlight');
    expect(secret.length, 'the demo runtime has a model key to leak').toBeGreaterThan(0);
    expect(sent).not.toContain(secret);
  });

  it('puts goals and results on spans only with otel.recordContent', async () => {
    receiver = await startOtlpReceiver();
    const { goal } = await runDemo(config({ otel: receiver.url, recordContent: true }));
    const root = receiver.spans.find((span) => span.name === 'roma.run')!;
    expect(root.attributes['roma.goal']).toBe(goal);
  });

  it('ends the run while MLflow is down and the collector never answers; closing stays bounded', async () => {
    double = await startMlflowDouble();
    const downUrl = double.url;
    await double.close();
    double = undefined;
    receiver = await startOtlpReceiver();
    receiver.hang = true;
    const { runtime, outcome } = await runDemo(config({ mlflow: downUrl, otel: receiver.url }));
    // Nothing the run did waited on either service: it completed, and close() (bounded by flushTimeoutMs)
    // returned with MLflow's deliveries counted as dropped.
    expect(outcome.status).toBe('COMPLETED');
    const stats = runtime.tracking.stats().mlflow!;
    expect(stats.delivered).toBe(0);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.queued).toBe(0);
  });

  it('ends the run while MLflow and the collector both refuse connections; closing stays bounded', async () => {
    const mlflowDown = await startMlflowDouble();
    const otlpDown = await startOtlpReceiver();
    const urls = { mlflow: mlflowDown.url, otel: otlpDown.url };
    await mlflowDown.close();
    await otlpDown.close();
    const { runtime, outcome } = await runDemo(config(urls));
    expect(outcome.status).toBe('COMPLETED');
    expect(runtime.tracking.stats()).toMatchObject({
      mlflow: { delivered: 0, queued: 0, dropped: expect.any(Number) },
      otel: { enabled: true },
    });
    expect(runtime.tracking.stats().mlflow!.dropped).toBeGreaterThan(0);
  });

  it('imports OpenTelemetry only dynamically (type imports aside), so nothing loads when it is off', () => {
    const root = fileURLToPath(new URL('../', import.meta.url));
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    );
    const valueImports = files.filter((file) =>
      /^import (?!type )[^;]*from '@opentelemetry\//m.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(valueImports).toEqual([]);
    expect(readFileSync(join(root, 'tracking/otel/otel-tracing.ts'), 'utf8')).toContain(
      "import('@opentelemetry/sdk-trace-base')",
    );
  });

  it('opens no observer when neither MLflow nor an OTLP endpoint is set', async () => {
    const runtime = await openRuntime(config({}), { services: 'store' });
    expect(runtime.tracking.observers).toEqual([]);
    expect(runtime.tracking.stats()).toEqual({ mlflow: null, otel: { enabled: false } });
    await runtime.close();
  });
});

describe('OpenTelemetry spans of a PTC execution', () => {
  it('nests tool calls under the sandbox run that made them, under the task', async () => {
    receiver = await startOtlpReceiver();
    const tracing = await openOtelTracing({
      endpoint: receiver.url,
      serviceName: 'test',
      recordContent: false,
    });
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
    const base = { executionId: 'run-1' };
    const events: StreamEvent[] = [
      {
        ...base,
        seq: 1,
        timestamp: at(0),
        type: 'execution-start',
        goal: 'secret goal',
        rootTaskId: 'root',
        options: {},
      },
      {
        ...base,
        seq: 2,
        timestamp: at(1),
        type: 'task-start',
        taskId: 'root',
        parentId: null,
        goal: 'secret goal',
        depth: 0,
        maxDepth: 0,
        taskType: 'CODE',
        dependencies: [],
      },
      {
        ...base,
        seq: 3,
        timestamp: at(2),
        type: 'code-execution-start',
        taskId: 'root',
        planId: 'p1',
        iteration: 1,
        language: 'typescript',
        provider: 'isolate',
        code: 'const key = "sk-hidden";',
      },
      {
        ...base,
        seq: 4,
        timestamp: at(8),
        type: 'tool-call',
        taskId: 'root',
        planId: 'p1',
        server: 'data',
        tool: 'search_logs',
        durationMs: 5,
        ok: true,
        resultBytes: 9000,
      },
      {
        ...base,
        seq: 5,
        timestamp: at(9),
        type: 'code-execution-end',
        taskId: 'root',
        planId: 'p1',
        iteration: 1,
        exitCode: 0,
        durationMs: 7,
        stdout: 'printed',
        stderr: '',
        truncated: false,
        stoppedBy: null,
      },
      {
        ...base,
        seq: 6,
        timestamp: at(10),
        type: 'task-end',
        taskId: 'root',
        status: 'COMPLETED',
        result: 'answer',
        error: null,
        usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0, costUsd: 0 },
      },
      {
        ...base,
        seq: 7,
        timestamp: at(11),
        type: 'execution-end',
        status: 'COMPLETED',
        reason: null,
        result: 'answer',
        error: null,
        usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0, costUsd: 0 },
        nodeCount: 1,
        durationMs: 11,
      },
    ];
    for (const event of events) tracing.onEvent(event);
    await tracing.close(5_000);
    const byName = new Map(receiver.spans.map((span) => [span.name, span]));
    const task = byName.get('roma.task CODE')!;
    const sandbox = byName.get('roma.sandbox.run')!;
    const tool = byName.get('execute_tool search_logs')!;
    expect(task.parentSpanId).toBe(byName.get('roma.run')!.spanId);
    expect(sandbox.parentSpanId).toBe(task.spanId);
    expect(tool.parentSpanId).toBe(sandbox.spanId);
    expect(tool.attributes).toMatchObject({ 'gen_ai.tool.name': 'search_logs', 'roma.mcp.server': 'data' });
    expect(tool.endMs - tool.startMs).toBe(5);
    expect(sandbox.attributes['roma.sandbox.provider']).toBe('isolate');
    const sent = receiver.bodies.join('\n');
    for (const hidden of ['secret goal', 'sk-hidden', 'printed', 'answer'])
      expect(sent).not.toContain(hidden);
  });
});
