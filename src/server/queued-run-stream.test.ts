// With ROMA_QUEUE=bullmq, a run started on one API instance is done by `roma worker` processes and streamed whole
// by another API instance, from the shared PostgreSQL store (real Redis and PostgreSQL, worker processes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { romaEnv } from '../cli/commands/cli-test-support.js';
import { loadConfig } from '../config/index.js';
import type { StreamEvent } from '../contracts/index.js';
import { scriptedTreeRules } from '../dev/scripted-model/index.js';
import {
  openWorkerProcesses,
  type StartedWorker,
  type WorkerProcesses,
} from '../queue/testing/worker-processes.js';
import { openRuntime, type Runtime } from '../runtime/index.js';
import { type RunningApiServer, startApiServer } from './api-server.js';
import { apiRuntimeFrom } from './runtime-adapter.js';
import { parseApiKeys } from './security/index.js';
import { readSse } from './streams/stream-test-support.js';

const GOAL = 'Survey two lighthouses';
const tree = {
  goal: GOAL,
  latencyMs: 100,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'a', goal: 'Survey the north lighthouse', taskType: 'THINK' as const, dependencies: [] },
        { id: 'b', goal: 'Survey the south lighthouse', taskType: 'THINK' as const, dependencies: [] },
      ],
      result: 'TWO LIGHTHOUSES SURVEYED',
    },
    'Survey the north lighthouse': { result: 'NORTH STANDS' },
    'Survey the south lighthouse': { result: 'SOUTH STANDS' },
  },
};

let bed: WorkerProcesses;
let workers: StartedWorker[];
/** A second API instance: its own runtime over the same stores, coordinating nothing. */
let otherRuntime: Runtime;
const servers: RunningApiServer[] = [];

const serve = async (runtime: Runtime) => {
  const server = await startApiServer({
    runtime: apiRuntimeFrom(runtime),
    keys: parseApiKeys(''),
    host: '127.0.0.1',
    port: 0,
    requestsPerMinute: 100_000,
    stream: { pollIntervalMs: 100, heartbeatMs: 1_000 },
  });
  servers.push(server);
  return server;
};

beforeAll(async () => {
  bed = await openWorkerProcesses({
    name: 'queued-stream',
    rules: scriptedTreeRules(tree),
    env: { ROMA_QUEUE_STEPS: 'true' },
  });
  otherRuntime = await openRuntime(
    loadConfig({ cwd: bed.dataDir, env: romaEnv({ ...bed.env(), ROMA_LOG_LEVEL: 'warn' }) }),
    { services: 'store', logName: 'server' },
  );
  workers = await Promise.all([bed.startWorker(), bed.startWorker()]);
}, 120_000);

afterAll(async () => {
  for (const server of servers) await server.close();
  await otherRuntime?.close();
  await bed?.close();
}, 60_000);

describe('a queued run streamed by any API instance', { timeout: 120_000 }, () => {
  it('is started on one instance, done by the workers, and streamed whole by another', async () => {
    const [starter, streamer] = [await serve(bed.runtime), await serve(otherRuntime)];
    const response = await fetch(`${starter.url}/api/v1/executions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ goal: GOAL }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };

    const streamed = await readSse({ url: streamer.url, key: '' }, id, 0, Number.POSITIVE_INFINITY);
    expect(streamed.at(-1)).toMatchObject({ type: 'execution-end', status: 'COMPLETED' });
    const stored = await otherRuntime.store.readEvents(id);
    expect(streamed.map((event) => event.seq)).toEqual(stored.map((event) => event.seq));

    // Written by the worker processes, not by either API instance's process.
    const workerPids = workers.map((worker) => worker.child.pid);
    const start = streamed.find((event) => event.type === 'execution-start') as
      | { options?: { pid?: number } }
      | undefined;
    expect(workerPids).toContain(start?.options?.pid);
    const stepEnds = streamed.filter(
      (event): event is Extract<StreamEvent, { type: 'task-step-end' }> => event.type === 'task-step-end',
    );
    expect(stepEnds.length).toBeGreaterThan(0);
    for (const event of stepEnds) expect(workerPids).toContain(Number(event.worker?.split(':').at(-1)));
    expect(streamed.filter((event) => event.type === 'llm-call').length).toBe(stepEnds.length);
  });
});
