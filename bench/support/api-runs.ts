// Child of bench/api: runs N demo runs on the shared store, printing each run's id as it starts and, at the
// end, the time (epoch ms, sub-ms precision) each event became durable.
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/index.js';
import { openRuntime } from '../../src/runtime/index.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const [dataDir, runsText, latencyText] = process.argv.slice(2);
const appended: Record<string, number> = {};
const runtime = await openRuntime(
  loadConfig({ cwd: dataDir!, env: { ...process.env, ROMA_DATA_DIR: dataDir! } }),
  {
    demo: { latencyMs: Number(latencyText) },
    cache: false,
    logName: 'bench-runs',
    observers: [
      (event) => {
        appended[`${event.executionId}#${event.seq}`] = performance.timeOrigin + performance.now();
      },
    ],
  },
);
const handles = Array.from({ length: Number(runsText) }, () =>
  runtime.runs.start({ goal: runtime.demoModel!.goal, modelId: runtime.demoModel!.modelId }),
);
for (const handle of handles) process.stdout.write(`${JSON.stringify({ id: handle.executionId })}\n`);
await Promise.allSettled(handles.map((handle) => handle.done));
process.stdout.write(`${JSON.stringify({ appended })}\n`);
await runtime.close();
