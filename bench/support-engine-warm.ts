// The engine bench's real path (993 tasks, @ai-sdk/openai over loopback HTTP to the scripted model server in its
// own process, default SQLite file store and concurrency), run several times in one process: warm runs to compare
// versions, and a CPU profile when started with `node --cpu-prof --import tsx bench/support-engine-warm.ts`.
// Runs: `BENCH_RUNS` (6). Prints wall and process CPU per task for each run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { defaultConfig } from '../src/config/index.js';
import { solve } from '../src/engine/index.js';
import { SqliteExecutionStore } from '../src/store/index.js';
import { startModelServerProcess, wideTree } from './support-engine.js';

const runs = Number(process.env.BENCH_RUNS ?? 6);
const tree = wideTree(31);
const server = await startModelServerProcess();
try {
  await server.configure(tree.plans, 0);
  const model = createOpenAI({ apiKey: 'bench', baseURL: server.openaiBaseUrl }).chat('gpt-4o-mini');
  const config = defaultConfig();
  for (let index = 0; index < runs; index += 1) {
    const dataDir = mkdtempSync(join(tmpdir(), 'roma-bench-engine-warm-'));
    const store = SqliteExecutionStore.open({ dataDir });
    try {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const outcome = await solve(
        {
          store,
          models: { resolve: () => model, defaultModelId: 'bench:gpt-4o-mini' },
          config: {
            ...config,
            engine: { ...config.engine, maxDepth: 2, maxSubtasks: 50, budgets: { maxNodes: tree.nodes + 1 } },
          },
          cancelPollIntervalMs: 0,
        },
        { goal: tree.goal },
      );
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const commits = store.appendCommitStats;
      console.log(
        `run ${index + 1}: ${outcome.status} ${outcome.nodeCount} tasks, wall ${(wallMs / outcome.nodeCount).toFixed(3)} ms/task, process CPU ${((cpu.user + cpu.system) / 1_000 / outcome.nodeCount).toFixed(3)} ms/task, ${commits.items} appends in ${commits.commits} commits`,
      );
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  await server.stop();
}
