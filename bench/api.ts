// API stream benchmark: N concurrent demo runs executing in another process on the shared SQLite store, each
// watched over a WebSocket from this API server; events/s delivered, append→delivery delay (beside an
// in-process store follower, the baseline) and where it goes (detection, server send, client), server CPU,
// store reads, GC pauses and event-loop stalls, RSS, lost and duplicated events.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { loadConfig } from '../src/config/index.js';
import type { StreamEvent } from '../src/contracts/index.js';
import { openRuntime } from '../src/runtime/index.js';
import { apiRuntimeFrom, parseApiKeys, startApiServer } from '../src/server/index.js';
import { DEFAULT_STREAM_OPTIONS } from '../src/server/streams/index.js';
import { quick } from './support-quick.js';

const RUNS = Number(process.env.BENCH_RUNS ?? (quick ? 5 : 50));
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
// The server's default poll (a backstop: commits wake followers through the store's commit beacon).
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? DEFAULT_STREAM_OPTIONS.pollIntervalMs);
/** BENCH_CHILD_SESSION=same keeps the runs in the server's session (the setup of the first measurements). */
const SEPARATE_SESSION = process.env.BENCH_CHILD_SESSION !== 'same';
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}
const round = (value: number) => Math.round(value * 100) / 100;

const dataDir = mkdtempSync(join(tmpdir(), 'roma-bench-api-'));
const env = { ROMA_CACHE_ENABLED: 'false', ROMA_LOG_LEVEL: 'warn', ROMA_ENGINE_MAX_CONCURRENCY: '8' };
const runtime = await openRuntime(loadConfig({ cwd: dataDir, env: { ...env, ROMA_DATA_DIR: dataDir } }), {
  services: 'store',
  logName: 'bench',
});
const server = await startApiServer({
  runtime: apiRuntimeFrom(runtime),
  keys: parseApiKeys(''),
  host: '127.0.0.1',
  port: 0,
  requestsPerMinute: 1_000_000,
  stream: { pollIntervalMs: POLL_MS },
});
// Instrumentation: every store read of the server process is counted and timed, and the first read returning an
// event stamps when the server saw it, which splits a delivery's delay into detection and transport.
const readStats = { calls: 0, empty: 0, ms: 0 };
const readDurations: number[] = [];
const gcPauses: number[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push(entry.duration);
});
gcObserver.observe({ entryTypes: ['gc'] });
const seenAt = new Map<string, number>();
// The server's WebSocket send of each event (the ws class serves both ends; only the server sends events).
const sentAt = new Map<string, number>();
const wsSend = WebSocket.prototype.send;
WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
  if (typeof data === 'string') {
    const event = JSON.parse(data) as StreamEvent;
    sentAt.set(`${event.executionId}#${event.seq}`, now());
  }
  return (wsSend as (...args: unknown[]) => void).call(this, data, ...rest);
} as typeof WebSocket.prototype.send;
const readEvents = runtime.store.readEvents.bind(runtime.store);
runtime.store.readEvents = async (id, options) => {
  const begin = now();
  const events = await readEvents(id, options);
  const end = now();
  readStats.calls += 1;
  readStats.ms += end - begin;
  readDurations.push(end - begin);
  if (events.length === 0) readStats.empty += 1;
  for (const event of events) if (!seenAt.has(`${id}#${event.seq}`)) seenAt.set(`${id}#${event.seq}`, end);
  return events;
};
// Stalls of the server's event loop, with the CPU time it used during each: near zero means it was waiting for a
// core (descheduled), not busy with its own work.
const stalls = { count: 0, ms: 0, cpuMs: 0 };
let lastBeat = now();
let lastCpu = process.cpuUsage();
// One cpuUsage() a tick: it was the bench's own largest CPU cost in a profile at two calls every 5 ms.
const stallTimer = setInterval(() => {
  const at = now();
  const cpuNow = process.cpuUsage();
  if (at - lastBeat > 50) {
    stalls.count += 1;
    stalls.ms += at - lastBeat;
    stalls.cpuMs += (cpuNow.user + cpuNow.system - lastCpu.user - lastCpu.system) / 1000;
  }
  lastBeat = at;
  lastCpu = cpuNow;
}, 10);
const cpuAtStart = process.cpuUsage();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

interface Watch {
  subscribedAt: number;
  ws: Array<{ seq: number; at: number }>;
  follow: Array<{ seq: number; at: number }>;
  done: Promise<void>;
}
const watches = new Map<string, Watch>();

function watch(id: string): Watch {
  const entry: Watch = { subscribedAt: now(), ws: [], follow: [], done: Promise.resolve() };
  const viaSocket = new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(
      `${server.url.replace('http', 'ws')}/api/v1/executions/${id}/stream?after=0`,
    );
    socket.on('message', (data) => {
      const at = now();
      const event = JSON.parse(String(data)) as StreamEvent;
      entry.ws.push({ seq: event.seq, at });
      if (event.type === 'execution-end') {
        socket.close();
        resolve();
      }
    });
    socket.on('error', reject);
  });
  const viaFollow = (async () => {
    for await (const event of runtime.store.follow(id, {
      pollIntervalMs: POLL_MS,
      untilExecutionEnd: true,
    })) {
      entry.follow.push({ seq: event.seq, at: now() });
    }
  })();
  entry.done = Promise.all([viaSocket, viaFollow]).then(() => undefined);
  return entry;
}

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const childScript = fileURLToPath(new URL('./support/api-runs.ts', import.meta.url));
const started = now();
const child = spawn(
  process.execPath,
  ['--import', tsx, childScript, dataDir, String(RUNS), String(LATENCY_MS)],
  {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    // A session of its own, as separate worker or `roma solve` processes would have: Linux schedules a session's
    // processes as one group (autogroup), so a busy child in the server's session starves the server under load.
    detached: SEPARATE_SESSION,
  },
);
let appended: Record<string, number> = {};
for await (const line of createInterface({ input: child.stdout })) {
  const message = JSON.parse(line) as { id?: string; appended?: Record<string, number> };
  if (message.id) {
    // The child prints the id before the run's first append: wait for its row, then subscribe.
    while (!(await runtime.store.getExecution(message.id)))
      await new Promise((resolve) => setTimeout(resolve, 2));
    watches.set(message.id, watch(message.id));
  }
  if (message.appended) appended = message.appended;
}
await Promise.all([...watches.values()].map((entry) => entry.done));
const wallMs = now() - started;
clearInterval(rssTimer);
clearInterval(stallTimer);
const cpu = process.cpuUsage(cpuAtStart);
const serverCpuMs = (cpu.user + cpu.system) / 1000;

const wsDelays: number[] = [];
const followDelays: number[] = [];
const detectDelays: number[] = [];
const transportDelays: number[] = [];
const readToSend: number[] = [];
const sendToClient: number[] = [];
let lost = 0;
let duplicates = 0;
let stored = 0;
let delivered = 0;
for (const [id, entry] of watches) {
  const log = (await runtime.store.readEvents(id)).map((event) => event.seq);
  stored += log.length;
  delivered += entry.ws.length;
  const seen = new Set(entry.ws.map((item) => item.seq));
  duplicates += entry.ws.length - seen.size;
  lost += log.filter((seq) => !seen.has(seq)).length;
  for (const [list, delays] of [
    [entry.ws, wsDelays],
    [entry.follow, followDelays],
  ] as const) {
    for (const item of list) {
      const at = appended[`${id}#${item.seq}`];
      // Only live events: those appended after this client subscribed (earlier ones are replay).
      if (at !== undefined && at > entry.subscribedAt) delays.push(item.at - at);
    }
  }
  for (const item of entry.ws) {
    const at = appended[`${id}#${item.seq}`];
    const seen = seenAt.get(`${id}#${item.seq}`);
    if (at === undefined || seen === undefined || at <= entry.subscribedAt) continue;
    detectDelays.push(seen - at);
    transportDelays.push(item.at - seen);
    const sent = sentAt.get(`${id}#${item.seq}`);
    if (sent !== undefined) {
      readToSend.push(sent - seen);
      sendToClient.push(item.at - sent);
    }
  }
}
await server.close();
await runtime.close();
rmSync(dataDir, { recursive: true, force: true });

const ws = wsDelays.sort((a, b) => a - b);
const follow = followDelays.sort((a, b) => a - b);
const detect = detectDelays.sort((a, b) => a - b);
const transport = transportDelays.sort((a, b) => a - b);
readToSend.sort((a, b) => a - b);
sendToClient.sort((a, b) => a - b);
const eventsPerSecond = Math.round((delivered / wallMs) * 1000);
console.log(
  `api bench: ${RUNS} concurrent demo runs in a child process (${LATENCY_MS} ms scripted latency), SQLite, stream poll ${POLL_MS} ms, runs in ${SEPARATE_SESSION ? 'their own' : "the server's"} session, ${cpus().length} cores, Node ${process.version}`,
);
console.log(
  `events stored ${stored}, delivered over WebSocket ${delivered} in ${round(wallMs)} ms → ${eventsPerSecond} events/s`,
);
console.log(
  `append→delivery of live events (n=${ws.length}): WebSocket p50 ${round(percentile(ws, 0.5))} ms, p99 ${round(percentile(ws, 0.99))} ms`,
);
console.log(
  `  baseline, store follow in the server process (n=${follow.length}): p50 ${round(percentile(follow, 0.5))} ms, p99 ${round(percentile(follow, 0.99))} ms`,
);
console.log(
  `  split: append→first server read (either follower) p50 ${round(percentile(detect, 0.5))} ms, p99 ${round(percentile(detect, 0.99))} ms; read→client p50 ${round(percentile(transport, 0.5))} ms, p99 ${round(percentile(transport, 0.99))} ms`,
);
console.log(
  `  read→server send p50 ${round(percentile(readToSend, 0.5))} ms, p99 ${round(percentile(readToSend, 0.99))} ms; send→client p50 ${round(percentile(sendToClient, 0.5))} ms, p99 ${round(percentile(sendToClient, 0.99))} ms`,
);
console.log(
  `server process: CPU ${Math.round(serverCpuMs)} ms (${round((serverCpuMs / wallMs) * 100)} % of one core), store reads ${readStats.calls} (${readStats.empty} empty, ${Math.round(readStats.ms)} ms in them)`,
);
readDurations.sort((a, b) => a - b);
gcPauses.sort((a, b) => a - b);
console.log(
  `  store read wall time p99 ${round(percentile(readDurations, 0.99))} ms, max ${round(readDurations.at(-1) ?? 0)} ms; GC pauses ${gcPauses.length}, total ${Math.round(gcPauses.reduce((a, b) => a + b, 0))} ms, max ${round(gcPauses.at(-1) ?? 0)} ms`,
);
console.log(
  `server process peak RSS (API server and the ${RUNS} WebSocket clients): ${Math.round(peakRss / 1_048_576)} MiB`,
);
console.log(
  `server event-loop delay p99 ${round(loopDelay.percentile(99) / 1e6)} ms; stalls over 50 ms: ${stalls.count}, ${Math.round(stalls.ms)} ms in all, CPU used during them ${Math.round(stalls.cpuMs)} ms; load average ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')}`,
);
console.log(`lost ${lost}, duplicated ${duplicates}`);
console.log(
  JSON.stringify({
    bench: 'api',
    ...(quick ? { quick: true } : {}),
    runs: RUNS,
    eventsPerSecond,
    p50DeliveryMs: round(percentile(ws, 0.5)),
    p99DeliveryMs: round(percentile(ws, 0.99)),
    baselineP99FollowMs: round(percentile(follow, 0.99)),
    childSession: SEPARATE_SESSION ? 'own' : 'same',
    serverLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
    serverRssMiB: Math.round(peakRss / 1_048_576),
    lostEvents: lost,
    duplicateEvents: duplicates,
    quick,
  }),
);
if (child.exitCode === null) child.kill();
process.exit(lost === 0 && duplicates === 0 ? 0 : 1);
