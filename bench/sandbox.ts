// Sandbox speed: isolate cold create and warm run, process (bubblewrap) cold and warm-pool runs of print(1),
// memory per idle pooled isolate. `npm run bench -- sandbox`; ends with one JSON line of headline figures.
import { setTimeout as sleep } from 'node:timers/promises';
import { createIsolateSandbox, createProcessSandbox, type Sandbox } from '../src/sandbox/index.js';
import { quick, sized } from './support-quick.js';

const ISOLATE_COLD_SAMPLES = sized(10, 3);
const ISOLATE_WARM_RUNS = sized(2000, 200);
const PROCESS_COLD_SAMPLES = sized(20, 3);
const PROCESS_WARM_SAMPLES = sized(20, 3);
const IDLE_POOL_SIZE = sized(8, 2);
const SESSION_RUNS = sized(200, 20);

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await sleep(10);
}

async function isolateCold(): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < ISOLATE_COLD_SAMPLES; index++) {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const started = performance.now();
    const session = await sandbox.openSession();
    const result = await session.run('1 + 1', { language: 'javascript' });
    samples.push(performance.now() - started);
    if (result.exitCode !== 0) throw new Error(result.stderr);
    await session.close();
    await sandbox.close();
  }
  return samples;
}

async function isolateWarm(language: 'javascript' | 'typescript'): Promise<number[]> {
  const sandbox = createIsolateSandbox({ poolSize: 1 });
  const session = await sandbox.openSession();
  const program = language === 'typescript' ? 'const x: number = 1 + 1' : 'const x = 1 + 1';
  for (let index = 0; index < 50; index++) await session.run(program, { language });
  const samples: number[] = [];
  for (let index = 0; index < ISOLATE_WARM_RUNS; index++) {
    const started = performance.now();
    await session.run(program, { language });
    samples.push(performance.now() - started);
  }
  await session.close();
  await sandbox.close();
  return samples;
}

async function idleIsolateMemoryMb(): Promise<number> {
  globalThis.gc?.();
  await sleep(200);
  const before = process.memoryUsage().rss;
  const sandbox = createIsolateSandbox({ poolSize: IDLE_POOL_SIZE });
  const pool = (sandbox as unknown as { pool: { idleCount: number } }).pool;
  await waitUntil(() => pool.idleCount >= IDLE_POOL_SIZE, 60_000);
  await sleep(500);
  const after = process.memoryUsage().rss;
  await sandbox.close();
  return (after - before) / IDLE_POOL_SIZE / 1024 / 1024;
}

async function processCold(): Promise<number[]> {
  const sandbox = createProcessSandbox({ poolSize: 0 });
  const samples: number[] = [];
  try {
    for (let index = 0; index < PROCESS_COLD_SAMPLES; index++) {
      const started = performance.now();
      const session = await sandbox.openSession();
      const result = await session.run('print(1)');
      samples.push(performance.now() - started);
      if (result.stdout.trim() !== '1') throw new Error(result.stderr);
      await session.close();
    }
  } finally {
    await sandbox.close();
  }
  return samples;
}

async function processWarm(): Promise<{ poolSamples: number[]; sessionSamples: number[] }> {
  const sandbox: Sandbox = createProcessSandbox({ poolSize: 2 });
  const warm = (sandbox as unknown as { warm: unknown[] }).warm;
  const poolSamples: number[] = [];
  const sessionSamples: number[] = [];
  try {
    for (let index = 0; index < PROCESS_WARM_SAMPLES; index++) {
      await waitUntil(() => warm.length >= 2, 30_000);
      const started = performance.now();
      const session = await sandbox.openSession();
      const result = await session.run('print(1)');
      poolSamples.push(performance.now() - started);
      if (result.stdout.trim() !== '1') throw new Error(result.stderr);
      await session.close();
    }
    const session = await sandbox.openSession();
    for (let index = 0; index < SESSION_RUNS; index++) {
      const started = performance.now();
      await session.run('print(1)');
      sessionSamples.push(performance.now() - started);
    }
    await session.close();
  } finally {
    await sandbox.close();
  }
  return { poolSamples, sessionSamples };
}

const cold = await isolateCold();
const warmJs = await isolateWarm('javascript');
const warmTs = await isolateWarm('typescript');
const idleMb = await idleIsolateMemoryMb();
const processColdSamples = await processCold();
const { poolSamples, sessionSamples } = await processWarm();

const figures = {
  isolateColdMs: round(percentile(cold, 0.5)),
  isolateWarmP50Ms: round(percentile(warmJs, 0.5)),
  isolateWarmP99Ms: round(percentile(warmJs, 0.99)),
  isolateWarmTypeScriptP50Ms: round(percentile(warmTs, 0.5)),
  isolateIdleMemoryMb: round(idleMb),
  processRunP50Ms: round(percentile(processColdSamples, 0.5)),
  processWarmP50Ms: round(percentile(poolSamples, 0.5)),
  processSessionRunP50Ms: round(percentile(sessionSamples, 0.5)),
};

console.log(`machine: ${process.platform} ${process.arch}, Node ${process.version}`);
console.log(`isolate cold create + first run (p50 of ${ISOLATE_COLD_SAMPLES}): ${figures.isolateColdMs} ms`);
console.log(
  `isolate warm run of a one-line program (${ISOLATE_WARM_RUNS} runs): p50 ${figures.isolateWarmP50Ms} ms, p99 ${figures.isolateWarmP99Ms} ms (goal: p50 < 2 ms)`,
);
console.log(
  `isolate warm run, TypeScript (transpiled each run): p50 ${figures.isolateWarmTypeScriptP50Ms} ms`,
);
console.log(
  `memory per idle pooled isolate (RSS, pool of ${IDLE_POOL_SIZE}): ${figures.isolateIdleMemoryMb} MB`,
);
console.log(
  `process: print(1) in a fresh bubblewrap sandbox (p50 of ${PROCESS_COLD_SAMPLES}): ${figures.processRunP50Ms} ms (goal: < 50 ms)`,
);
console.log(
  `process: open from the warm pool + print(1) (p50 of ${PROCESS_WARM_SAMPLES}): ${figures.processWarmP50Ms} ms (goal: < 10 ms)`,
);
console.log(`process: print(1) in an open session: p50 ${figures.processSessionRunP50Ms} ms`);
console.log(
  'Daytona publishes sandbox creation in about 90 ms (a network round trip on top, not measured here).',
);
console.log(
  JSON.stringify({
    bench: 'sandbox',
    isolateColdMs: figures.isolateColdMs,
    isolateWarmP50Ms: figures.isolateWarmP50Ms,
    processRunP50Ms: figures.processRunP50Ms,
    processWarmP50Ms: figures.processWarmP50Ms,
    isolateWarmP99Ms: figures.isolateWarmP99Ms,
    isolateIdleMemoryMb: figures.isolateIdleMemoryMb,
    quick,
  }),
);
