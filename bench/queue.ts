// Queue benchmark, step-level path (`queue.steps`): every task step of wide-plan runs is a BullMQ job taken by 1, 2
// and 4 `roma worker --concurrency 4` processes (PostgreSQL store), beside the same runs executed in this process
// one at a time with as many model calls at once as one worker takes steps (the baseline, same run). The scripted
// model server is a process of its own (`roma dev scripted-model`), so no engine shares its event loop.
// Each phase also reports the CPU it cost per task (workers, this process, model server, and the machine's PostgreSQL
// and Redis servers; from /proc on Linux): with 50 ms replies the work is mostly waiting, so CPU per task is what
// bounds scaling on a small machine.
// `npm run bench -- queue [--quick]` (ROMA_BENCH_QUICK=1 too): quick mode runs fewer, narrower runs.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/index.js';
import { openRuntime, type Runtime } from '../src/runtime/index.js';
import { adminQuery, TEST_DATABASE_URL } from '../src/store/testing/test-database.js';
import { quick, sized } from './support-quick.js';

const WIDTH = Number(process.env.BENCH_WIDTH ?? sized(12, 4));
const RUNS = Number(process.env.BENCH_RUNS ?? sized(16, 4));
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const WORKER_COUNTS = [1, 2, 4];
/** Step jobs one worker runs at once; also the baseline's `engine.maxConcurrency`, so both have as many calls in flight. */
const STEPS_PER_WORKER = Number(process.env.BENCH_STEPS_PER_WORKER ?? 4);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/**
 * tsx turns on source-mapped stack traces, which `roma` run as users run it (compiled, `bin/roma.js`) does not have;
 * Node 20 parses a whole source map each time a stack is formatted, and the AI SDK's reader formats one per model
 * call (about 0.5 ms of a worker's CPU per task). The bench's processes run without them, as `roma` does.
 */
const NO_SOURCE_MAPS = 'data:text/javascript,process.setSourceMapsEnabled(false)';
const TSX_ARGS = ['--import', TSX, '--import', NO_SOURCE_MAPS];
process.setSourceMapsEnabled(false);
const round = (value: number) => Math.round(value * 100) / 100;
/** Set to a folder to write a V8 CPU profile of each worker there (`node --cpu-prof`), to see what a step costs. */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
/**
 * `BENCH_COUNTS=1` also counts, per phase and task, PostgreSQL transactions (`xact_commit` of the bench's database)
 * and Redis commands (`INFO commandstats`, the whole server's: other clients of it count too). PostgreSQL reports
 * an idle connection's counts up to 10 s late, so each count waits that long: it is opt-in.
 */
const COUNT_ROUND_TRIPS = process.env.BENCH_COUNTS === '1';
const STATS_FLUSH_MS = 11_000;

const GOAL = 'Survey the districts';
const subtasks = Array.from({ length: WIDTH }, (_, index) => ({
  id: `d${index}`,
  goal: `Survey district ${index}`,
  taskType: 'THINK' as const,
  dependencies: [],
}));
const tree = {
  goal: GOAL,
  latencyMs: LATENCY_MS,
  tasks: {
    [GOAL]: { plan: subtasks, result: 'DISTRICTS SURVEYED' },
    ...Object.fromEntries(subtasks.map((task) => [task.goal, { result: `${task.id} OK` }])),
  },
};

const database = `roma_bench_queue_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const prefix = `roma-bench-queue-${process.pid}-${Date.now()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'roma-bench-queue-'));
await adminQuery((client) => client.query(`CREATE DATABASE "${database}"`));
const databaseUrl = new URL(TEST_DATABASE_URL);
databaseUrl.pathname = `/${database}`;
const workers: ChildProcess[] = [];
const treeFile = join(dataDir, 'tree.json');
writeFileSync(treeFile, JSON.stringify(tree));
const modelServer = spawn(
  process.execPath,
  [...TSX_ARGS, MAIN, 'dev', 'scripted-model', '--script', treeFile, '--port', '0'],
  {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
modelServer.stderr?.resume();
const model = {
  openaiBaseUrl: await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`model server not ready in 60 s:\n${text}`)), 60_000);
    modelServer.stdout?.on('data', (chunk: Buffer) => {
      text = (text + chunk.toString()).slice(-10_000);
      const url = /OpenAI chat completions: (\S+)/.exec(text)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    modelServer.once('exit', (code) => reject(new Error(`model server exited with ${code}:\n${text}`)));
  }),
};

function env(logLevel: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ROMA_MODEL: 'openai:scripted',
    OPENAI_BASE_URL: model.openaiBaseUrl,
    OPENAI_API_KEY: 'bench-key',
    ROMA_LLM_MAX_RETRIES: '0',
    ROMA_CACHE_ENABLED: 'false',
    ROMA_ENGINE_MAX_CONCURRENCY: String(STEPS_PER_WORKER),
    ROMA_ENGINE_MAX_SUBTASKS: String(Math.max(8, WIDTH)),
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL,
    ROMA_QUEUE: 'bullmq',
    ROMA_QUEUE_STEPS: 'true',
    ROMA_QUEUE_PREFIX: prefix,
    ROMA_LOG_LEVEL: logLevel,
  };
}

/** Starts a worker and resolves once it says it is waiting for runs (start-up is not part of throughput). */
function startWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`] : []),
      ...TSX_ARGS,
      MAIN,
      'worker',
      '--concurrency',
      String(STEPS_PER_WORKER),
    ],
    {
      cwd: dataDir,
      env: env('info'),
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  workers.push(child);
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('worker did not start within 60 s')), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      if (buffered === null) return;
      buffered += chunk.toString();
      if (buffered.includes('waiting for runs')) {
        clearTimeout(timer);
        buffered = '';
        child.stderr?.resume();
        resolve(child);
      } else if (buffered.length > 1_000_000) buffered = buffered.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

async function stopWorkers(): Promise<void> {
  const exits = workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve)));
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  workers.length = 0;
}

/** Clock ticks a second of /proc/<pid>/stat's CPU times (100 nearly everywhere). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, ms) a child process has used so far; undefined where /proc cannot tell (not Linux). */
function childCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1_000) / CLOCK_TICKS : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (ms) used so far by every process of this machine named `command` (`postgres`, `redis-server`), the
 * children they reaped included (a PostgreSQL backend that exits is counted in its postmaster's). Other clients
 * of these servers (other benches and tests on the machine) count too: an upper bound for the bench's share.
 */
function serverCpuMs(command: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== command) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return (ticks * 1_000) / CLOCK_TICKS;
}

interface CpuSplit {
  /** The worker processes together. */
  workers: number;
  /** This process: the baseline's engine, and the handles following every queued run. */
  bench: number;
  modelServer: number;
  /** The machine's PostgreSQL and Redis servers (see serverCpuMs: other clients count too). */
  postgresServer: number;
  redisServer: number;
}

/** CPU used so far by each part of the bench, and by the PostgreSQL and Redis servers of the machine. */
function cpuNow(): CpuSplit | undefined {
  const usage = process.cpuUsage();
  const modelServerMs = childCpuMs(modelServer.pid);
  const workerMs = workers.map((worker) => childCpuMs(worker.pid));
  if (modelServerMs === undefined || workerMs.some((ms) => ms === undefined)) return undefined;
  return {
    workers: workerMs.reduce<number>((sum, ms) => sum + (ms ?? 0), 0),
    bench: (usage.user + usage.system) / 1_000,
    modelServer: modelServerMs,
    postgresServer: serverCpuMs('postgres'),
    redisServer: serverCpuMs('redis-server'),
  };
}

interface Counts {
  postgresCommits: number;
  redisCommands: number;
}

/** Transactions committed in the bench's database and commands Redis ran so far (BENCH_COUNTS=1 only). */
async function countsNow(): Promise<Counts | undefined> {
  if (!COUNT_ROUND_TRIPS) return undefined;
  // Every connection's counts are in the statistics only after it reported them (at most 10 s when idle).
  await new Promise((resolve) => setTimeout(resolve, STATS_FLUSH_MS));
  const postgresCommits = await adminQuery(async (client) => {
    const result = await client.query<{ commits: string }>(
      'SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = $1',
      [database],
    );
    return Number(result.rows[0]?.commits ?? 0);
  });
  const redis = new Redis(REDIS_URL);
  try {
    const info = await redis.info('commandstats');
    const redisCommands = [...info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
    return { postgresCommits, redisCommands };
  } finally {
    redis.disconnect();
  }
}

interface Batch {
  ms: number;
  /** CPU per task of the batch, by part; undefined where /proc cannot tell. */
  cpuMsPerTask: CpuSplit | undefined;
  /** Round trips per task of the batch (BENCH_COUNTS=1). */
  countsPerTask: Counts | undefined;
}

async function runBatch(runtime: Runtime, count: number, sequential: boolean): Promise<Batch> {
  const countsBefore = await countsNow();
  const cpuBefore = cpuNow();
  const started = performance.now();
  if (sequential) {
    for (let index = 0; index < count; index += 1) await expectCompleted(runtime, 1);
  } else await expectCompleted(runtime, count);
  const ms = performance.now() - started;
  const cpuAfter = cpuNow();
  const countsAfter = await countsNow();
  const tasks = count * nodesPerRun;
  const perTask = (part: keyof CpuSplit) =>
    round(((cpuAfter?.[part] ?? 0) - (cpuBefore?.[part] ?? 0)) / tasks);
  const countPerTask = (part: keyof Counts) =>
    round(((countsAfter?.[part] ?? 0) - (countsBefore?.[part] ?? 0)) / tasks);
  return {
    ms,
    cpuMsPerTask:
      cpuBefore && cpuAfter
        ? {
            workers: perTask('workers'),
            bench: perTask('bench'),
            modelServer: perTask('modelServer'),
            postgresServer: perTask('postgresServer'),
            redisServer: perTask('redisServer'),
          }
        : undefined,
    countsPerTask:
      countsBefore && countsAfter
        ? { postgresCommits: countPerTask('postgresCommits'), redisCommands: countPerTask('redisCommands') }
        : undefined,
  };
}

function describeCpu(batch: Batch): string {
  const cpu = batch.cpuMsPerTask;
  const counts = batch.countsPerTask;
  return (
    (cpu
      ? `; CPU per task: workers ${cpu.workers} ms, bench process ${cpu.bench} ms, model server ${cpu.modelServer} ms` +
        ` (PostgreSQL server ${cpu.postgresServer} ms, Redis server ${cpu.redisServer} ms, all their clients)`
      : '') +
    (counts
      ? `; per task: ${counts.postgresCommits} PostgreSQL commits, ${counts.redisCommands} Redis commands`
      : '')
  );
}

async function expectCompleted(runtime: Runtime, count: number): Promise<void> {
  const handles = Array.from({ length: count }, () => runtime.runs.start({ goal: GOAL }));
  const outcomes = await Promise.all(handles.map((handle) => handle.done));
  const bad = outcomes.filter((outcome) => outcome.status !== 'COMPLETED');
  if (bad.length > 0) throw new Error(`${bad.length} run(s) did not complete: ${bad[0]?.status}`);
}

// The baseline does its steps in process (no step queue) and runs its runs here.
const inline = await openRuntime(
  loadConfig({ cwd: dataDir, env: { ...env('warn'), ROMA_QUEUE: 'inline', ROMA_QUEUE_STEPS: 'false' } }),
  { logName: 'bench', queueRuns: false },
);
const queued = await openRuntime(loadConfig({ cwd: dataDir, env: env('warn') }), { logName: 'bench' });
let nodesPerRun = 0;

try {
  // Nodes per run, from a warm-up run's log (root + its subtasks).
  const warm = inline.runs.start({ goal: GOAL });
  const warmOutcome = await warm.done;
  if (warmOutcome.status !== 'COMPLETED') throw new Error(`the warm-up run ended ${warmOutcome.status}`);
  nodesPerRun = (await inline.store.readEvents(warmOutcome.executionId)).filter(
    (event) => event.type === 'task-start',
  ).length;
  const totalNodes = nodesPerRun * RUNS;
  console.log(
    `queue bench (step jobs): ${RUNS} runs × ${nodesPerRun} tasks (a goal planned into ${WIDTH} parallel subtasks), ` +
      `${LATENCY_MS} ms scripted model latency, PostgreSQL store, Redis ${REDIS_URL}; ${cpus().length} cores` +
      (quick ? ' (quick)' : ''),
  );

  const baseline = await runBatch(inline, RUNS, true);
  const inlineMs = baseline.ms;
  const perSecond = (ms: number) => round((totalNodes / ms) * 1_000);
  console.log(
    `in-process, one run at a time, ${STEPS_PER_WORKER} model calls at once: ${round(inlineMs)} ms, ` +
      `${perSecond(inlineMs)} tasks/s (baseline)${describeCpu(baseline)}`,
  );

  const queuedMs = new Map<number, number>();
  const cpuMsPerTask: Record<string, CpuSplit | undefined> = { inProcess: baseline.cpuMsPerTask };
  const countsPerTask: Record<string, Counts | undefined> = { inProcess: baseline.countsPerTask };
  let oneWorkerSequentialMs = 0;
  for (const count of WORKER_COUNTS) {
    // Workers are added between phases (1, then 2, then 4), never restarted: start-up is not measured.
    await Promise.all(Array.from({ length: count - workers.length }, () => startWorker()));
    // One warm-up run per worker, so each phase is measured with warm processes (quick mode, for CI, skips it).
    if (!quick) await expectCompleted(queued, count);
    if (count === 1) {
      // Same shape as the baseline (one run at a time, as many steps at once): the difference is the queue's cost.
      const sequential = await runBatch(queued, RUNS, true);
      oneWorkerSequentialMs = sequential.ms;
      cpuMsPerTask.workers1Sequential = sequential.cpuMsPerTask;
      countsPerTask.workers1Sequential = sequential.countsPerTask;
      console.log(
        `1 worker, one run at a time: ${round(oneWorkerSequentialMs)} ms, ${perSecond(oneWorkerSequentialMs)} tasks/s` +
          describeCpu(sequential),
      );
    }
    const batch = await runBatch(queued, RUNS, false);
    const elapsed = batch.ms;
    queuedMs.set(count, elapsed);
    cpuMsPerTask[`workers${count}`] = batch.cpuMsPerTask;
    countsPerTask[`workers${count}`] = batch.countsPerTask;
    console.log(
      `${count} worker(s) × ${STEPS_PER_WORKER} steps at once, ${RUNS} runs at once: ${round(elapsed)} ms, ` +
        `${perSecond(elapsed)} tasks/s, ${round(inlineMs / elapsed)}× the baseline${describeCpu(batch)}`,
    );
  }
  const one = queuedMs.get(1)!;
  const speedup4Workers = round(one / queuedMs.get(4)!);
  const speedup2Workers = round(one / queuedMs.get(2)!);
  const queueOverheadMsPerNode = round((oneWorkerSequentialMs - inlineMs) / totalNodes);
  console.log(
    `speedup 1→2 workers ${speedup2Workers}×, 1→4 workers ${speedup4Workers}×; ` +
      `queue overhead ${queueOverheadMsPerNode} ms per task (1 worker vs in-process, one run at a time)`,
  );
  console.log(
    JSON.stringify({
      bench: 'queue',
      path: 'steps',
      speedup4Workers,
      speedup2Workers,
      queueOverheadMsPerNode,
      tasksPerSecondInProcess: perSecond(inlineMs),
      tasksPerSecond1WorkerSequential: perSecond(oneWorkerSequentialMs),
      tasksPerSecond1Worker: perSecond(one),
      tasksPerSecond2Workers: perSecond(queuedMs.get(2)!),
      tasksPerSecond4Workers: perSecond(queuedMs.get(4)!),
      runs: RUNS,
      nodesPerRun,
      stepsPerWorker: STEPS_PER_WORKER,
      latencyMs: LATENCY_MS,
      cpuMsPerTask,
      ...(COUNT_ROUND_TRIPS ? { countsPerTask } : {}),
      cores: cpus().length,
      quick,
    }),
  );
} finally {
  await stopWorkers();
  await queued.close();
  await inline.close();
  modelServer.kill('SIGTERM');
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await adminQuery((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  rmSync(dataDir, { recursive: true, force: true });
}
