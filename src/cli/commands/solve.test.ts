// `roma solve` and `roma runs` as a user runs them: child processes against the scripted model server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../contracts/index.js';
import type { ScriptedModelServer, ScriptedRule, ScriptedTree } from '../../dev/scripted-model/index.js';
import { scriptedTreeRules, startScriptedModelServer, taskLine } from '../../dev/scripted-model/index.js';
import { foldTaskTree } from '../../engine/index.js';
import { requestsAbout } from '../../engine/testing/engine-test-kit.js';
import { waitFor } from '../../engine/testing/wait.js';
import type { ExecutionStore } from '../../store/index.js';
import { openExecutionStore } from '../../store/index.js';
import {
  type SpawnedRoma,
  scriptedModelEnv,
  spawnRoma,
  waitForFirstRun,
  waitForStore,
} from './cli-test-support.js';

const GOAL = 'Plan a garden';
const TREE: ScriptedTree = {
  goal: GOAL,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'soil', goal: 'Test the soil', taskType: 'RETRIEVE', dependencies: [] },
        { id: 'seeds', goal: 'Choose the seeds', taskType: 'THINK', dependencies: [] },
        { id: 'layout', goal: 'Draw the layout', taskType: 'WRITE', dependencies: ['soil', 'seeds'] },
      ],
      result: 'GARDEN PLAN DONE',
    },
    'Test the soil': { result: 'SOIL IS LOAM' },
    'Choose the seeds': { result: 'TOMATOES AND BEANS' },
    'Draw the layout': { result: 'ROWS NORTH TO SOUTH' },
  },
};

/** The garden with the seeds task answered as `seeds` says: slow, so a run can be caught while it is in flight. */
function withSeeds(seeds: ScriptedTree['tasks'][string]): ScriptedRule[] {
  return scriptedTreeRules({ ...TREE, tasks: { ...TREE.tasks, 'Choose the seeds': seeds } });
}

function roma(args: string[], env: Record<string, string>, cwd: string): SpawnedRoma {
  return spawnRoma(args, { cwd, env });
}

let server: ScriptedModelServer;
let dataDir: string;
let env: Record<string, string>;
let store: ExecutionStore | undefined;

beforeEach(async () => {
  server = await startScriptedModelServer({ rules: scriptedTreeRules(TREE) });
  dataDir = mkdtempSync(join(tmpdir(), 'roma-cli-'));
  env = { ...scriptedModelEnv(server), ROMA_DATA_DIR: join(dataDir, '.roma'), ROMA_CACHE_ENABLED: 'false' };
});

/** The store the child `roma` writes to (closed after the test) and the run it started there. */
async function waitForRunStart(): Promise<{ openStore: ExecutionStore; executionId: string }> {
  const openStore = await waitForStore({ dataDir: env.ROMA_DATA_DIR! });
  store = openStore;
  return { openStore, executionId: await waitForFirstRun(openStore) };
}

afterEach(async () => {
  await store?.close();
  store = undefined;
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('roma solve', { timeout: 180_000 }, () => {
  it('prints the plain event lines, the answer and a summary when stdout is not a terminal', async () => {
    const { finished } = roma(['solve', GOAL], env, dataDir);
    const result = await finished;
    expect(result.stderr).not.toContain('Error');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('start  root.2 THINK: Choose the seeds');
    expect(result.stdout).toContain('━━ answer ━━\nGARDEN PLAN DONE');
    expect(result.stdout).toMatch(/tasks 4 \(4 completed, 0 failed, 0 cancelled\), depth 1/);
    expect(result.stdout).toContain('model calls 9, 0 from cache');
    expect(result.stdout).toMatch(/tokens: [\d,]+ in \/ [\d,]+ out · saved 0 tokens \(0%\) · \$/);
  });

  it('--json prints the event stream as JSON lines, the same as stored', async () => {
    const { finished } = roma(['solve', GOAL, '--json'], env, dataDir);
    const result = await finished;
    expect(result.status).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as StreamEvent);
    expect(events[0]?.type).toBe('execution-start');
    expect(events.at(-1)).toMatchObject({
      type: 'execution-end',
      status: 'COMPLETED',
      result: 'GARDEN PLAN DONE',
    });
    store = await openExecutionStore({ dataDir: env.ROMA_DATA_DIR! });
    expect(await store.readEvents(events[0]!.executionId)).toEqual(events);
  });

  it('takes engine settings from flags: --max-depth 0 answers the goal in one call', async () => {
    server.setRules([
      { match: { contains: ['ROMA executor', taskLine(GOAL)] }, reply: { text: 'ONE STEP GARDEN' } },
    ]);
    const result = await roma(['solve', GOAL, '--max-depth', '0', '--max-concurrency', '2'], env, dataDir)
      .finished;
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('ONE STEP GARDEN');
    expect(result.stdout).toMatch(/tasks 1 \(1 completed.*depth 0/);
    expect(server.requests).toHaveLength(1);
  });

  it('without a model says which env var to set', async () => {
    const { ROMA_MODEL: _model, ...rest } = env;
    const result = await roma(['solve', GOAL], { ...rest, OPENAI_BASE_URL: '', OPENAI_API_KEY: '' }, dataDir)
      .finished;
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('MODEL_NOT_CONFIGURED');
    expect(result.stderr).toContain('ANTHROPIC_API_KEY');
  });
});

describe('roma runs', { timeout: 180_000 }, () => {
  it('kill -9 mid-run, then `runs resume`: completes without repeating a finished task’s model calls', async () => {
    // The seeds step is slow, so the kill lands while it is in flight and after the soil step finished.
    server.setRules(withSeeds({ result: 'TOMATOES AND BEANS', latencyMs: 30_000 }));
    const { child, finished } = roma(['solve', GOAL, '--json'], env, dataDir);
    const { openStore, executionId } = await waitForRunStart();
    const finishedBefore = await waitFor(async () => {
      const events = await openStore.readEvents(executionId);
      const done = events.filter((event) => event.type === 'task-end' && event.status === 'COMPLETED');
      const seedsInFlight = requestsAbout(server.requests, 'ROMA executor', 'Choose the seeds').length > 0;
      return done.length >= 1 && seedsInFlight ? events : undefined;
    }, 'a completed task');
    child.kill('SIGKILL');
    const killed = await finished;
    expect(killed.signal).toBe('SIGKILL');
    expect((await openStore.getExecution(executionId))?.status).toBe('RUNNING');

    const tree = foldTaskTree(finishedBefore);
    const finishedGoals = [...tree.nodes.values()]
      .filter((node) => node.status === 'COMPLETED')
      .map((node) => node.goal);
    expect(finishedGoals).toContain('Test the soil');
    server.setRules(scriptedTreeRules(TREE));
    const requestsBefore = server.requests.length;

    const resumed = await roma(['runs', 'resume', executionId], env, dataDir).finished;
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain('GARDEN PLAN DONE');
    expect(resumed.stdout).toContain('resumed 1×');

    const after = server.requests.slice(requestsBefore);
    for (const goal of finishedGoals) {
      expect(after.filter((request) => request.text.includes(taskLine(goal)))).toEqual([]);
    }
    // The root's recorded atomizer and planner decisions were reused; the in-flight task was redone.
    expect(after.some((request) => request.text.includes('ROMA planner.'))).toBe(false);
    expect(after.some((request) => request.text.includes(taskLine('Choose the seeds')))).toBe(true);
    const summary = await openStore.getExecution(executionId);
    expect(summary).toMatchObject({ status: 'COMPLETED', result: 'GARDEN PLAN DONE' });
  });

  it('list, show, export and import', async () => {
    const solved = await roma(['solve', GOAL, '--json'], env, dataDir).finished;
    const executionId = (JSON.parse(solved.stdout.split('\n')[0]!) as StreamEvent).executionId;

    const list = await roma(['runs', 'list'], env, dataDir).finished;
    expect(list.stdout).toContain(executionId);
    expect(list.stdout).toContain('COMPLETED');

    const show = await roma(['runs', 'show', executionId], env, dataDir).finished;
    expect(show.stdout).toContain('✓ root.3 WRITE');
    expect(show.stdout).toContain('→ ROWS NORTH TO SOUTH');
    expect(show.stdout).toMatch(/tasks 4 \(4 completed/);

    const exported = await roma(['runs', 'export', executionId], env, dataDir).finished;
    const file = join(dataDir, 'run.jsonl');
    writeFileSync(file, exported.stdout);
    const otherEnv = { ...env, ROMA_DATA_DIR: join(dataDir, 'other') };
    const imported = await roma(['runs', 'import', file], otherEnv, dataDir).finished;
    expect(imported.stdout).toContain(`imported run ${executionId}`);
    const again = await roma(['runs', 'export', executionId], otherEnv, dataDir).finished;
    expect(again.stdout).toBe(exported.stdout);
  });

  it('watch follows a run started by another process until it ends', async () => {
    server.setRules(withSeeds({ result: 'TOMATOES AND BEANS', latencyMs: 3500 }));
    const solving = roma(['solve', GOAL], env, dataDir);
    const { executionId } = await waitForRunStart();
    const watched = await roma(['runs', 'watch', executionId], env, dataDir).finished;
    expect(watched.status).toBe(0);
    expect(watched.stdout).toMatch(/done {3}root\.2/);
    expect(watched.stdout).toContain('━━ answer ━━\nGARDEN PLAN DONE');
    expect((await solving.finished).status).toBe(0);
  });

  it('cancel of a run whose process is gone marks it CANCELLED', async () => {
    server.setRules(withSeeds({ latencyMs: 30_000 }));
    const { child, finished } = roma(['solve', GOAL, '--json'], env, dataDir);
    const { openStore, executionId } = await waitForRunStart();
    // Killed once it recorded its process id, so `cancel` can tell nobody runs it any more.
    await waitFor(
      async () => ((await openStore.readEvents(executionId)).length > 0 ? true : undefined),
      'execution-start',
    );
    child.kill('SIGKILL');
    await finished;
    const cancelled = await roma(['runs', 'cancel', executionId], env, dataDir).finished;
    expect(cancelled.stdout).toContain('cancelled (no process was running it)');
    expect((await openStore.getExecution(executionId))?.status).toBe('CANCELLED');
  });

  it('cancel of a live run is noticed by its process', async () => {
    server.setRules(withSeeds({ latencyMs: 30_000 }));
    const { finished } = roma(['solve', GOAL], env, dataDir);
    const { executionId } = await waitForRunStart();
    const cancelled = await roma(['runs', 'cancel', executionId, '--wait-ms', '20000'], env, dataDir)
      .finished;
    expect(cancelled.stdout).toContain(`run ${executionId} cancelled (CANCELLED)`);
    const solved = await finished;
    expect(solved.status).toBe(1);
    expect(solved.stdout).toContain('run cancelled');
    expect(solved.stdout).toContain(`roma runs resume ${executionId}`);
  });
});
