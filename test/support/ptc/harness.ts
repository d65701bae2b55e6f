// A PTC agent wired for tests and benchmarks: scripted model, real MCP servers, the isolate, files and cache.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheEntryRecord } from '../../../src/cache/index.js';
import { createLlmCache, type LlmCache } from '../../../src/cache/index.js';
import { MemoryCacheStore } from '../../../src/cache/memory-cache-store.js';
import { SecretList } from '../../../src/config/secrets.js';
import { LlmConfigSchema } from '../../../src/config/sections/llm.js';
import type { McpServerConfig } from '../../../src/config/sections/ptc.js';
import type {
  NewStreamEvent,
  PTCArtifactResult,
  PTCExecutionPlanInput,
} from '../../../src/contracts/index.js';
import { PTCExecutionPlanSchema } from '../../../src/contracts/index.js';
import {
  type ScriptedModelServer,
  type ScriptedRule,
  startScriptedModelServer,
} from '../../../src/dev/scripted-model/index.js';
import { createModelRegistry } from '../../../src/llm/index.js';
import { createPtcAgent, McpManager, type PtcAgent, type PtcAgentDeps } from '../../../src/ptc/index.js';
import { createIsolateSandbox } from '../../../src/sandbox/isolate/isolate-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import { FileArtifactStore } from '../../../src/store/file-artifact-store.js';

interface PtcHarnessOptions {
  rules: ScriptedRule[];
  servers?: Record<string, McpServerConfig>;
  hostEnv?: Record<string, string | undefined>;
  mode?: PtcAgentDeps['mode'];
  /** Share one manager (its connections) between harnesses. */
  manager?: McpManager;
  cache?: boolean;
  /** Put the LLM-response cache (its own memory store, default policy) in front of the model. */
  llmCache?: boolean;
  /** `llm.prices` of the registry (USD per million tokens), e.g. for `openai:scripted`. */
  prices?: Record<
    string,
    { inputPerMillionUsd: number; outputPerMillionUsd: number; cachedInputPerMillionUsd?: number }
  >;
  emitArtifactEvents?: boolean;
  /** `llm.openaiApiKey` of the registry ('test-key' by default). */
  openaiApiKey?: string;
  /** Roma model id of the registry's default model; `openai:scripted` by default. */
  modelId?: string;
  /** A sandbox other than the default isolate (closed by the harness). */
  sandbox?: Sandbox;
}

export interface PtcHarness {
  agent: PtcAgent;
  model: ScriptedModelServer;
  manager: McpManager;
  sandbox: Sandbox;
  artifactStore: FileArtifactStore;
  cache: MemoryCacheStore;
  /** Present with `llmCache: true`. */
  llmCache: LlmCache | undefined;
  /** Every entry the LLM cache stored or served (with the asking execution). */
  llmCacheEntries: CacheEntryRecord[];
  dataDir: string;
  events: NewStreamEvent[];
  deps: PtcAgentDeps;
  plan(input: Partial<PTCExecutionPlanInput> & { goal: string }): PTCExecutionPlanInput;
  execute(
    input: Partial<PTCExecutionPlanInput> & { goal: string },
    signal?: AbortSignal,
  ): Promise<PTCArtifactResult>;
  close(): Promise<void>;
}

let planCounter = 0;

export async function startPtcHarness(options: PtcHarnessOptions): Promise<PtcHarness> {
  const model = await startScriptedModelServer({ rules: options.rules });
  const llmCacheEntries: CacheEntryRecord[] = [];
  const llmCache = options.llmCache
    ? createLlmCache({ store: new MemoryCacheStore(), onEntry: (record) => llmCacheEntries.push(record) })
    : undefined;
  // One secret list, as the runtime wires it: the registry adds its keys, the manager its substitutions.
  const secrets = new SecretList();
  const registry = createModelRegistry(
    LlmConfigSchema.parse({
      model: options.modelId ?? 'openai:scripted',
      openaiBaseUrl: model.openaiBaseUrl,
      openaiApiKey: options.openaiApiKey ?? 'test-key',
      anthropicBaseUrl: model.anthropicBaseUrl,
      anthropicApiKey: 'test-key',
      ...(options.prices ? { prices: options.prices } : {}),
    }),
    { ...(llmCache ? { middleware: [llmCache.middleware] } : {}), secrets },
  );
  const manager =
    options.manager ??
    new McpManager({
      servers: options.servers ?? {},
      ...(options.hostEnv ? { hostEnv: options.hostEnv } : {}),
      secrets,
    });
  const sandbox = options.sandbox ?? createIsolateSandbox({ poolSize: 1 });
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-ptc-'));
  const artifactStore = new FileArtifactStore({ dataDir });
  const cache = new MemoryCacheStore();
  const events: NewStreamEvent[] = [];
  const deps: PtcAgentDeps = {
    models: registry,
    sandboxFor: () => sandbox,
    tools: manager,
    artifactStore,
    ...(options.cache === false ? {} : { cache }),
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.emitArtifactEvents ? { emitArtifactEvents: true } : {}),
    redact: secrets.redact,
  };
  const agent = createPtcAgent(deps);
  const plan = (input: Partial<PTCExecutionPlanInput> & { goal: string }): PTCExecutionPlanInput => {
    planCounter += 1;
    return {
      planId: `plan-${planCounter}`,
      executionId: `exec-${planCounter}`,
      taskId: `task-${planCounter}`,
      cacheStrategy: 'NEVER',
      ...input,
    };
  };
  return {
    agent,
    model,
    manager,
    sandbox,
    artifactStore,
    cache,
    llmCache,
    llmCacheEntries,
    dataDir,
    events,
    deps,
    plan,
    execute: (input, signal) =>
      agent.execute(PTCExecutionPlanSchema.parse(plan(input)), {
        signal: signal ?? AbortSignal.timeout(60_000),
        emit: (event) => {
          events.push(event);
        },
      }),
    async close() {
      await model.close();
      if (!options.manager) await manager.close();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The first fenced block of a reply, for scripted rules that answer "run this code". */
export function codeReply(code: string, language = 'typescript'): { text: string } {
  return { text: `I will run this.\n\n\`\`\`${language}\n${code}\n\`\`\`` };
}

/**
 * A last conversation step that answers with what the run printed: the first capture of `pattern` in the run
 * report (`fallback` when it does not match), or the whole report when there is no pattern.
 */
export function finalAnswerFrom(pattern?: RegExp, fallback?: string): (report: string) => { text: string } {
  return (report) => ({
    text: `FINAL ANSWER: ${pattern ? (report.match(pattern)?.[1] ?? fallback) : report}`,
  });
}

/** How many runs the agent has reported to the model so far in this conversation. */
function runsSoFar(requestText: string): number {
  return requestText.match(/^Run \d+: exit code/gm)?.length ?? 0;
}

/** Text of the last run report in a request (what the model would read). */
function lastRunReport(requestText: string): string {
  const index = requestText.lastIndexOf('Run ');
  const reports = [
    ...requestText.matchAll(/^Run \d+: exit code[\s\S]*?(?=^Run \d+: exit code|$(?![\s\S]))/gm),
  ];
  return reports.at(-1)?.[0] ?? (index >= 0 ? requestText.slice(index) : '');
}

/**
 * One scripted conversation for tasks whose goal contains `marker`: `steps[n]` answers after n runs.
 * A step is a reply or a function of the last run report.
 */
export function conversationRule(
  marker: string,
  steps: Array<{ text: string; latencyMs?: number } | ((lastReport: string) => { text: string })>,
): ScriptedRule {
  return {
    name: marker,
    // Only the PTC agent's own requests (an engine's atomizer may mention the same goal).
    match: { contains: [marker, 'You are PTC'] },
    reply: (request) => {
      const done = runsSoFar(request.text);
      const step = steps[Math.min(done, steps.length - 1)]!;
      return typeof step === 'function' ? step(lastRunReport(request.text)) : step;
    },
  };
}
