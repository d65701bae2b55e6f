// Benchmark of the ROMA engine: overhead per task on the real path (provider SDK over loopback HTTP to a model
// server in another process, default file store and concurrency), the in-process best case beside it, and wall
// time against the ideal critical path.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
} from '@ai-sdk/provider';
import { defaultConfig } from '../src/config/index.js';
import type { EngineDependencies } from '../src/engine/index.js';
import { solve } from '../src/engine/index.js';
import { createModelRegistry } from '../src/llm/index.js';
import { modelFetch } from '../src/llm/model-fetch.js';
import type { ExecutionStore } from '../src/store/index.js';
import { SqliteExecutionStore } from '../src/store/index.js';
import {
  type ModelServerProcess,
  type PlanTable,
  startModelServerProcess,
  wideTree,
} from './support-engine.js';
import { quick, sized } from './support-quick.js';

function promptText(options: LanguageModelV3CallOptions): string {
  return options.prompt
    .map((message) =>
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part) => ('text' in part ? part.text : '')).join('\n'),
    )
    .join('\n');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Answers the engine's modules from a table of plans: a goal in the table is composite, any other atomic. */
function benchModel(plans: PlanTable, latencyMs: number): LanguageModelV3 {
  const goalOf = (text: string) => /^Task: (.*)$/m.exec(text)?.[1] ?? '';
  return {
    specificationVersion: 'v3',
    provider: 'bench',
    modelId: latencyMs === 0 ? 'zero-latency' : `latency-${latencyMs}ms`,
    supportedUrls: {},
    async doGenerate(options): Promise<LanguageModelV3GenerateResult> {
      if (latencyMs > 0) await sleep(latencyMs, options.abortSignal);
      const text = promptText(options);
      const goal = goalOf(text);
      let reply: string;
      if (text.startsWith('ROMA atomizer.'))
        reply = JSON.stringify({ atomic: !plans.has(goal), reason: 'bench' });
      else if (text.startsWith('ROMA planner.')) reply = JSON.stringify({ subtasks: plans.get(goal) ?? [] });
      else if (text.startsWith('ROMA verifier.')) reply = JSON.stringify({ passed: true, feedback: '' });
      else reply = `answer to ${goal}`;
      return {
        content: [{ type: 'text', text: reply }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: {
          inputTokens: { total: 100, noCache: 100, cacheRead: 0, cacheWrite: 0 },
          outputTokens: { total: 20, text: 20, reasoning: 0 },
        },
        warnings: [],
      };
    },
    async doStream() {
      throw new Error('the bench model does not stream');
    },
  };
}

/** A tree with dependencies: root → a, b, c (c after a and b); a and b composite with 3 leaves each, the third after the first two. */
function dependencyTree(): { goal: string; plans: PlanTable; criticalPathCalls: number } {
  const plans: PlanTable = new Map();
  const goal = 'critical root';
  plans.set(goal, [
    { id: 'a', goal: 'critical a', taskType: 'THINK', dependencies: [] },
    { id: 'b', goal: 'critical b', taskType: 'THINK', dependencies: [] },
    { id: 'c', goal: 'critical c', taskType: 'WRITE', dependencies: ['a', 'b'] },
  ]);
  for (const parent of ['critical a', 'critical b']) {
    plans.set(parent, [
      { id: 'x', goal: `${parent} x`, taskType: 'THINK', dependencies: [] },
      { id: 'y', goal: `${parent} y`, taskType: 'THINK', dependencies: [] },
      { id: 'z', goal: `${parent} z`, taskType: 'THINK', dependencies: ['x', 'y'] },
    ]);
  }
  // Root: atomize + plan + [a: atomize + plan + (x, then z: one call each at max depth) + aggregate] + [c: atomize + execute] + aggregate.
  const childA = 1 + 1 + (1 + 1) + 1;
  const childC = 1 + 1;
  return { goal, plans, criticalPathCalls: 1 + 1 + childA + childC + 1 };
}

/** The module a recorded request was for, from its system prompt (the executor's names none). */
function moduleOf(text: string): string {
  return /ROMA (atomizer|planner|aggregator|verifier)\./.exec(text)?.[1] ?? 'executor';
}

/**
 * The dependency tree's calls made by a bare client — the HTTP client the engine's provider uses (`modelFetch`), no
 * SDK — with the engine's own request bodies, each task as the engine does it (atomize, then plan, the subtasks in dependency order and aggregate, or execute; a task at the
 * depth limit only executes), nothing else. Returns its wall time (ms).
 */
async function bareCriticalPath(
  baseUrl: string,
  tree: ReturnType<typeof dependencyTree>,
  sent: Array<{ text: string; body: unknown }>,
  maxDepth = 2,
): Promise<number> {
  const bodies = new Map<string, string>();
  for (const request of sent) {
    const goal = /^Task: (.*)$/m.exec(request.text)?.[1] ?? '';
    bodies.set(`${moduleOf(request.text)} ${goal}`, JSON.stringify(request.body));
  }
  const call = async (module: string, goal: string) => {
    const body = bodies.get(`${module} ${goal}`);
    if (body === undefined) throw new Error(`baseline: the engine sent no ${module} request for "${goal}"`);
    const response = await modelFetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
      body,
    });
    if (!response.ok) throw new Error(`baseline: ${module} "${goal}" answered ${response.status}`);
    await response.json();
  };
  const solveTask = async (goal: string, depth: number): Promise<void> => {
    if (depth >= maxDepth) return call('executor', goal);
    await call('atomizer', goal);
    const subtasks = tree.plans.get(goal);
    if (!subtasks) return call('executor', goal);
    await call('planner', goal);
    const done = new Map<string, Promise<void>>();
    for (const subtask of subtasks)
      done.set(
        subtask.id,
        Promise.all(subtask.dependencies.map((id) => done.get(id))).then(() =>
          solveTask(subtask.goal, depth + 1),
        ),
      );
    await Promise.all(done.values());
    await call('aggregator', goal);
  };
  const started = performance.now();
  await solveTask(tree.goal, 0);
  return performance.now() - started;
}

/**
 * The model as a user's run gets it: from the model registry over the OpenAI provider (with its HTTP client,
 * `modelFetch`), pointed at the scripted server.
 */
function userModel(openaiBaseUrl: string): LanguageModelV3 {
  const llm = { ...defaultConfig().llm, model: 'openai:gpt-4o-mini', openaiBaseUrl, openaiApiKey: 'bench' };
  return createModelRegistry(llm).resolve();
}

interface Timings {
  modelMs: number;
  appendMs: number;
}

/** The store with the time spent in `append` added up (calls overlap under concurrency). */
function timedStore(store: ExecutionStore, timings: Timings): ExecutionStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      // Bound to the store itself: its private fields are not reachable through the proxy.
      if (property !== 'append') return value.bind(target);
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await (value as (...rest: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          timings.appendMs += performance.now() - started;
        }
      };
    },
  });
}

/** The model with the time spent in `doGenerate` (client + HTTP + server) added up. */
function timedModel(model: LanguageModelV3, timings: Timings): LanguageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    async doGenerate(options) {
      const started = performance.now();
      try {
        return await model.doGenerate(options);
      } finally {
        timings.modelMs += performance.now() - started;
      }
    },
    doStream: (options) => model.doStream(options),
  };
}

async function run(
  store: ExecutionStore,
  model: LanguageModelV3,
  goal: string,
  maxNodes: number,
  maxConcurrency: number | undefined,
): Promise<{ wallMs: number; nodes: number; status: string }> {
  const config = defaultConfig();
  const deps: EngineDependencies = {
    store,
    models: { resolve: () => model, defaultModelId: `bench:${model.modelId}` },
    config: {
      ...config,
      engine: {
        ...config.engine,
        maxDepth: 2,
        maxSubtasks: 50,
        maxConcurrency: maxConcurrency ?? config.engine.maxConcurrency,
        budgets: { maxNodes },
      },
    },
    // The default cancel poll (every 500 ms, as `roma solve` runs), not switched off: it is on the users' path.
  };
  const started = performance.now();
  const outcome = await solve(deps, { goal });
  const wallMs = performance.now() - started;
  if (outcome.status !== 'COMPLETED')
    throw new Error(`bench run ended ${outcome.status}: ${outcome.error?.message}`);
  return { wallMs, nodes: outcome.nodeCount, status: outcome.status };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function overheadFor(branching: number, storeKind: 'memory' | 'file', repeats: number) {
  const tree = wideTree(branching);
  const model = benchModel(tree.plans, 0);
  const samples: number[] = [];
  let nodes = 0;
  for (let index = 0; index < repeats; index += 1) {
    const dataDir = storeKind === 'file' ? mkdtempSync(join(tmpdir(), 'roma-bench-engine-')) : null;
    const store = await SqliteExecutionStore.open(
      dataDir ? { dataDir, synchronous: 'NORMAL' } : { filePath: ':memory:' },
    );
    try {
      const result = await run(store, model, tree.goal, tree.nodes + 1, 256);
      samples.push(result.wallMs / result.nodes);
      nodes = result.nodes;
    } finally {
      await store.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { nodes, msPerNode: median(samples) };
}

/** One run on the real path: the registry's @ai-sdk/openai model over loopback HTTP, default file store and concurrency. */
async function httpRun(server: ModelServerProcess, branching: number, synchronous?: 'NORMAL') {
  const tree = wideTree(branching);
  await server.configure(tree.plans, 0);
  const timings: Timings = { modelMs: 0, appendMs: 0 };
  const model = timedModel(userModel(server.openaiBaseUrl), timings);
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-bench-engine-http-'));
  const store = await SqliteExecutionStore.open(synchronous ? { dataDir, synchronous } : { dataDir });
  try {
    const serverBefore = await server.cpu();
    const clientBefore = process.cpuUsage();
    const commitsBefore = store.appendCommitStats;
    const result = await run(timedStore(store, timings), model, tree.goal, tree.nodes + 1, undefined);
    const clientCpu = process.cpuUsage(clientBefore);
    const commitsAfter = store.appendCommitStats;
    const serverAfter = await server.cpu();
    const serverMs = (serverAfter.micros - serverBefore.micros) / 1_000;
    return {
      nodes: result.nodes,
      wallMs: result.wallMs,
      serverMs,
      modelCalls: serverAfter.requests,
      overheadMsPerNode: (result.wallMs - serverMs) / result.nodes,
      clientCpuMsPerNode: (clientCpu.user + clientCpu.system) / 1_000 / result.nodes,
      modelMsPerNode: timings.modelMs / result.nodes,
      appendMsPerNode: timings.appendMs / result.nodes,
      appends: commitsAfter.items - commitsBefore.items,
      commits: commitsAfter.commits - commitsBefore.commits,
      commitMsPerNode: (commitsAfter.commitMs - commitsBefore.commitMs) / result.nodes,
    };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const defaultConcurrency = defaultConfig().engine.maxConcurrency;
console.log(`engine bench${quick ? ' (quick)' : ''} — ${cpus().length} cores, Node ${process.version}`);
console.log(
  `real path: the model registry's @ai-sdk/openai model (as a run gets it) over loopback HTTP to the scripted model server in a separate process, SQLite file store`,
);
console.log(
  `(synchronous=FULL, the default), concurrency ${defaultConcurrency} (the default); overhead = (wall − the model server's CPU time in`,
);
console.log(
  'the same run) / tasks. Best case beside it: an in-process model object, SQLite :memory:, concurrency 256.\n',
);

// Warm-up so JIT compilation is not billed to the first size.
await overheadFor(3, 'memory', 2);
const server = await startModelServerProcess();
const sizes = sized(
  [
    { label: '10', branching: 3 },
    { label: '100', branching: 10 },
    { label: '1,000', branching: 31 },
  ],
  [
    { label: '10', branching: 3 },
    { label: '100', branching: 10 },
  ],
);
type HttpFigures = Awaited<ReturnType<typeof httpRun>>;
const rows: Array<{ label: string; inProcess: number; file: number; http: HttpFigures }> = [];
let criticalPathRatio = Number.NaN;
let criticalMemoryRatio = Number.NaN;
let criticalNominalRatio = Number.NaN;
try {
  await httpRun(server, 3);
  for (const size of sizes) {
    const memory = await overheadFor(size.branching, 'memory', sized(3, 1));
    const file = await overheadFor(size.branching, 'file', 1);
    const http = await httpRun(server, size.branching);
    rows.push({ label: size.label, inProcess: memory.msPerNode, file: file.msPerNode, http });
  }
  console.log(
    'tasks | HTTP overhead/task | HTTP wall/task | model server CPU/task | engine process CPU/task | in-process best case | in-process, file NORMAL',
  );
  for (const row of rows) {
    const h = row.http;
    console.log(
      `${String(h.nodes).padStart(5)} | ${h.overheadMsPerNode.toFixed(3).padStart(8)} ms | ${(h.wallMs / h.nodes).toFixed(3)} ms | ${(h.serverMs / h.nodes).toFixed(3)} ms | ${h.clientCpuMsPerNode.toFixed(3)} ms | ${row.inProcess.toFixed(3)} ms | ${row.file.toFixed(3)} ms`,
    );
  }
  const largest = rows.at(-1)!.http;
  const normal = await httpRun(server, sizes.at(-1)!.branching, 'NORMAL');
  console.log(
    `\nwhere the time goes at ${largest.nodes} tasks (${largest.modelCalls} model calls), per task:`,
  );
  console.log(
    `  store: ${largest.appends} appends in ${largest.commits} commits (${(largest.appends / largest.commits).toFixed(2)} per commit, group commit), each ${((largest.commitMsPerNode * largest.nodes) / largest.commits).toFixed(2)} ms from batch to reply (fsync included), ${largest.commitMsPerNode.toFixed(3)} ms/task; commits run in the store's append worker thread, off the event loop`,
  );
  console.log(
    `  callers waited ${largest.appendMsPerNode.toFixed(3)} ms/task for durable appends, summed (overlapping: they wait for the commit that holds their event)`,
  );
  console.log(
    `  model call (SDK + HTTP + server, incl. waiting for a blocked loop) ${((largest.modelMsPerNode * largest.nodes) / largest.modelCalls).toFixed(3)} ms each, ${largest.modelMsPerNode.toFixed(3)} ms/task summed (overlapping at concurrency ${defaultConcurrency})`,
  );
  console.log(
    `  engine process CPU ${largest.clientCpuMsPerNode.toFixed(3)} ms/task (SDK client, zod validation, scheduling, store); model server CPU ${(largest.serverMs / largest.nodes).toFixed(3)} ms/task`,
  );
  console.log(
    `  same run with synchronous=NORMAL (no fsync at commit; not the default): overhead ${normal.overheadMsPerNode.toFixed(3)} ms/task, commits ${normal.commitMsPerNode.toFixed(3)} ms/task`,
  );

  const latencyMs = 50;
  const critical = dependencyTree();
  const nominal = critical.criticalPathCalls * latencyMs;
  /**
   * Runs of the dependency tree, each followed by the baseline: the same calls, with the bodies the engine sent,
   * in the same dependency order, from a bare HTTP client — no engine, no SDK, no store. Its wall time is what the
   * critical path itself takes on this machine (the model's latency, loopback HTTP, the server, waiting for the
   * slowest of calls made at once); the engine's wall over it is what the engine adds to that path.
   */
  const criticalRuns = async (storeKind: 'file' | 'memory') => {
    const ratios: number[] = [];
    const engineWalls: number[] = [];
    const bareWalls: number[] = [];
    const timings: Timings = { modelMs: 0, appendMs: 0 };
    let calls = 0;
    let commits = 0;
    let appends = 0;
    for (let index = 0; index < sized(9, 1); index += 1) {
      await server.configure(critical.plans, latencyMs);
      const dataDir = mkdtempSync(join(tmpdir(), 'roma-bench-engine-critical-'));
      const store = await SqliteExecutionStore.open(
        storeKind === 'file' ? { dataDir } : { filePath: ':memory:' },
      );
      try {
        const model = timedModel(userModel(server.openaiBaseUrl), timings);
        const result = await run(store, model, critical.goal, 100, undefined);
        calls += (await server.cpu()).requests;
        commits += store.appendCommitStats.commits;
        appends += store.appendCommitStats.items;
        const sent = await server.requests();
        const bareWallMs = await bareCriticalPath(server.openaiBaseUrl, critical, sent);
        engineWalls.push(result.wallMs);
        bareWalls.push(bareWallMs);
        ratios.push(result.wallMs / bareWallMs);
      } finally {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    const engineWallMs = median(engineWalls);
    const pathCalls = critical.criticalPathCalls;
    return {
      ratio: median(ratios),
      nominalRatio: engineWallMs / nominal,
      engineWallMs,
      bareWallMs: median(bareWalls),
      meanCallMs: timings.modelMs / calls,
      /** Median wall minus the path's calls at the mean call time, per call on the path: the engine between calls. */
      betweenCallsMs: (engineWallMs - pathCalls * (timings.modelMs / calls)) / pathCalls,
      commits,
      appends,
      runs: ratios.length,
    };
  };
  const criticalFile = await criticalRuns('file');
  const criticalMemory = await criticalRuns('memory');
  criticalPathRatio = criticalFile.ratio;
  criticalMemoryRatio = criticalMemory.ratio;
  criticalNominalRatio = criticalFile.nominalRatio;
  console.log(
    `\n${latencyMs} ms model latency over HTTP, 9-task tree with dependencies, critical path ${critical.criticalPathCalls} calls (median of ${criticalFile.runs}, default file store):`,
  );
  console.log(
    `  engine ${criticalFile.engineWallMs.toFixed(1)} ms; baseline (the same calls and bodies in the same order from a bare HTTP client, each run right after the engine's) ${criticalFile.bareWallMs.toFixed(1)} ms; criticalPathRatio = ${criticalPathRatio.toFixed(3)}`,
  );
  console.log(
    `  against the nominal ${nominal} ms (${critical.criticalPathCalls} × ${latencyMs} ms, as if HTTP and the server took no time): ${criticalFile.nominalRatio.toFixed(3)}; the bare client's own ratio to it ${(criticalFile.bareWallMs / nominal).toFixed(3)}`,
  );
  console.log(
    `  where it goes: a model call took ${criticalFile.meanCallMs.toFixed(1)} ms on average (${latencyMs} ms scripted latency + SDK + HTTP + server); ${(criticalFile.appends / criticalFile.runs).toFixed(0)} appends in ${(criticalFile.commits / criticalFile.runs).toFixed(0)} commits a run: the events between one model call and the next on the path (llm-call, the step's event, task-status, task-start/end) share one commit, awaited before the next call; the engine between calls on the path: ${criticalFile.betweenCallsMs.toFixed(1)} ms per call`,
  );
  console.log(
    `  same tree on SQLite :memory: (no fsync; best case): ${criticalMemory.ratio.toFixed(3)} (nominal ${criticalMemory.nominalRatio.toFixed(3)}), model call ${criticalMemory.meanCallMs.toFixed(1)} ms on average, the engine between calls ${criticalMemory.betweenCallsMs.toFixed(1)} ms per call`,
  );
} finally {
  await server.stop();
}
const headline = rows.at(-1)!;
console.log(
  JSON.stringify({
    bench: 'engine',
    overheadMsPerNodeHttp: Number(headline.http.overheadMsPerNode.toFixed(3)),
    overheadMsPerNodeInProcess: Number(headline.inProcess.toFixed(3)),
    criticalPathRatio: Number(criticalPathRatio.toFixed(3)),
    tasks: headline.http.nodes,
    httpWallMsPerNode: Number((headline.http.wallMs / headline.http.nodes).toFixed(3)),
    modelServerCpuMsPerNode: Number((headline.http.serverMs / headline.http.nodes).toFixed(3)),
    engineProcessCpuMsPerNode: Number(headline.http.clientCpuMsPerNode.toFixed(3)),
    storeAppendMsPerNode: Number(headline.http.appendMsPerNode.toFixed(3)),
    storeCommitMsPerNode: Number(headline.http.commitMsPerNode.toFixed(3)),
    appendsPerCommit: Number((headline.http.appends / headline.http.commits).toFixed(2)),
    criticalPathRatioNominal: Number(criticalNominalRatio.toFixed(3)),
    criticalPathRatioMemoryStore: Number(criticalMemoryRatio.toFixed(3)),
    quick,
  }),
);
