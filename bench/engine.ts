// Benchmark of the ROMA engine: orchestration overhead per task, and wall time against the ideal critical path.
// The model is an in-process LanguageModelV3 object (no HTTP): this measures the engine, not a network.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
} from '@ai-sdk/provider';
import { defaultConfig } from '../src/config/index.js';
import type { SubtaskSpec } from '../src/contracts/index.js';
import type { EngineDependencies } from '../src/engine/index.js';
import { solve } from '../src/engine/index.js';
import type { ExecutionStore } from '../src/store/index.js';
import { SqliteExecutionStore } from '../src/store/index.js';
import { quick, sized } from './support-quick.js';

type PlanTable = Map<
  string,
  Array<Pick<SubtaskSpec, 'goal' | 'taskType'> & { id: string; dependencies: string[] }>
>;

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

/** A full tree: root → `branching` children → `branching` grandchildren each (depth 2), siblings independent. */
function wideTree(branching: number): { goal: string; plans: PlanTable; nodes: number } {
  const plans: PlanTable = new Map();
  const goal = 'bench root';
  const children = Array.from({ length: branching }, (_, index) => ({
    id: `c${index}`,
    goal: `bench child ${index}`,
    taskType: 'THINK' as const,
    dependencies: [],
  }));
  plans.set(goal, children);
  for (const child of children) {
    plans.set(
      child.goal,
      Array.from({ length: branching }, (_, index) => ({
        id: `g${index}`,
        goal: `${child.goal} leaf ${index}`,
        taskType: 'THINK' as const,
        dependencies: [],
      })),
    );
  }
  return { goal, plans, nodes: 1 + branching + branching * branching };
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

async function run(
  store: ExecutionStore,
  model: LanguageModelV3,
  goal: string,
  maxNodes: number,
): Promise<{ wallMs: number; nodes: number; status: string }> {
  const config = defaultConfig();
  const deps: EngineDependencies = {
    store,
    models: { resolve: () => model, defaultModelId: `bench:${model.modelId}` },
    config: {
      ...config,
      engine: { ...config.engine, maxDepth: 2, maxSubtasks: 50, maxConcurrency: 256, budgets: { maxNodes } },
    },
    cancelPollIntervalMs: 0,
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
      const result = await run(store, model, tree.goal, tree.nodes + 1);
      samples.push(result.wallMs / result.nodes);
      nodes = result.nodes;
    } finally {
      await store.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { nodes, msPerNode: median(samples) };
}

console.log(`engine bench — ${cpus().length} cores, Node ${process.version}`);
console.log(
  'model: in-process LanguageModelV3 object (no HTTP); the figures measure the engine, not a network.',
);
console.log(
  'overhead = wall time of a whole run / tasks, with a zero-latency model (each task makes 1–4 model calls',
);
console.log('through the AI SDK, validated, and appends 5–8 events to the store).\n');

// Warm-up so JIT compilation is not billed to the first size.
await overheadFor(3, 'memory', 2);

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
const overhead: Record<string, { nodes: number; memory: number; file: number }> = {};
for (const size of sizes) {
  const memory = await overheadFor(size.branching, 'memory', sized(3, 1));
  const file = await overheadFor(size.branching, 'file', 1);
  overhead[size.label] = { nodes: memory.nodes, memory: memory.msPerNode, file: file.msPerNode };
  console.log(
    `~${size.label.padStart(5)} tasks (${String(memory.nodes).padStart(4)}): ${memory.msPerNode.toFixed(3)} ms/task (SQLite :memory:), ${file.msPerNode.toFixed(3)} ms/task (SQLite file, WAL, synchronous=NORMAL)`,
  );
}

const latencyMs = 50;
const critical = dependencyTree();
const ideal = critical.criticalPathCalls * latencyMs;
const ratios: number[] = [];
for (let index = 0; index < sized(3, 1); index += 1) {
  const store = await SqliteExecutionStore.open({ filePath: ':memory:' });
  try {
    const result = await run(store, benchModel(critical.plans, latencyMs), critical.goal, 100);
    ratios.push(result.wallMs / ideal);
  } finally {
    await store.close();
  }
}
const criticalPathRatio = median(ratios);
console.log(
  `\n${latencyMs} ms model latency, 9-task tree with dependencies: critical path ${critical.criticalPathCalls} calls = ${ideal} ms ideal; wall / ideal = ${criticalPathRatio.toFixed(3)} (median of 3)`,
);
const headline = overhead[sizes.at(-1)!.label]!;
console.log(
  JSON.stringify({
    bench: 'engine',
    overheadMsPerNode: Number(headline.memory.toFixed(3)),
    criticalPathRatio: Number(criticalPathRatio.toFixed(3)),
    quick,
  }),
);
