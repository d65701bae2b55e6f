// What the engine benches share: the wide task tree and the scripted model server in a process of its own.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SubtaskSpec } from '../src/contracts/index.js';

export type PlanTable = Map<
  string,
  Array<Pick<SubtaskSpec, 'goal' | 'taskType'> & { id: string; dependencies: string[] }>
>;

/** A full tree: root → `branching` children → `branching` grandchildren each (depth 2), siblings independent. */
export function wideTree(branching: number): { goal: string; plans: PlanTable; nodes: number } {
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

/** The scripted model server in a separate process, as a real deployment's model endpoint would be. */
export async function startModelServerProcess() {
  const child = fork(fileURLToPath(new URL('./support-engine-model-server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (kind: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`model server: no ${kind} reply in 30 s`)), 30_000);
      const onMessage = (message: Record<string, unknown>) => {
        if (message.kind !== kind) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
    });
  const ready = await next('ready');
  return {
    openaiBaseUrl: String(ready.openaiBaseUrl),
    async configure(plans: PlanTable, latencyMs: number) {
      const reply = next('configured');
      child.send({ kind: 'configure', plans: Object.fromEntries(plans), latencyMs });
      await reply;
    },
    async cpu(): Promise<{ micros: number; requests: number }> {
      const reply = next('cpu');
      child.send({ kind: 'cpu' });
      const message = await reply;
      return { micros: Number(message.micros), requests: Number(message.requests) };
    },
    /** What the requests answered since the last `configure` carried: their prompt text and JSON body. */
    async requests(): Promise<Array<{ text: string; body: unknown }>> {
      const reply = next('requests');
      child.send({ kind: 'requests' });
      const message = await reply;
      return message.requests as Array<{ text: string; body: unknown }>;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ kind: 'stop' });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export type ModelServerProcess = Awaited<ReturnType<typeof startModelServerProcess>>;
