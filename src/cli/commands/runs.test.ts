// `roma runs cancel` and `roma runs watch` on runs whose recorded process is gone, or was replaced by a resume.
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/index.js';
import type { RunControl } from '../../engine/index.js';
import { createRunControl } from '../../engine/index.js';
import { deadPid, startRunAs } from '../../engine/testing/recorded-runner.js';
import { createModelRegistry } from '../../llm/index.js';
import { SqliteExecutionStore } from '../../store/index.js';
import { runRoma } from './cli-test-support.js';
import { watchRun } from './runs.js';

let dataDir: string;
let store: SqliteExecutionStore;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'roma-runs-'));
  store = SqliteExecutionStore.open({ dataDir });
});
afterEach(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exitCode = undefined;
});

function runControl(): RunControl {
  const config = defaultConfig();
  return createRunControl({ deps: { store, models: createModelRegistry(config.llm), config } });
}

async function cancelRun(executionId: string, options: { reason: string; waitMs: number }): Promise<string> {
  return (await runControl().cancel(executionId, options)).message;
}

const startedBy = (executionId: string, pid: number) => startRunAs(store, executionId, { pid });

describe('roma runs cancel', () => {
  it('leaves a resumed run to the process that resumed it, not its dead starter', async () => {
    await startedBy('run-resumed', deadPid());
    await store.append({
      type: 'execution-resume',
      executionId: 'run-resumed',
      timestamp: new Date().toISOString(),
      fromSeq: 1,
      pid: process.pid,
      hostname: hostname(),
    });
    const message = await cancelRun('run-resumed', { reason: 'test', waitMs: 0 });
    expect(message).not.toContain('no process was running it');
    expect((await store.getExecution('run-resumed'))?.status).toBe('RUNNING');
  });

  it('marks a run cancelled when the process running it is gone', async () => {
    await startedBy('run-orphan', deadPid());
    const message = await cancelRun('run-orphan', { reason: 'test', waitMs: 0 });
    expect(message).toContain('no process was running it');
    expect((await store.getExecution('run-orphan'))?.status).toBe('CANCELLED');
  });
});

describe('roma runs watch', () => {
  it('stops with a resume hint instead of waiting forever on a crashed run', async () => {
    const pid = deadPid();
    await startedBy('run-crashed', pid);
    let output = '';
    const watching = watchRun(runControl(), 'run-crashed', 'plain', {
      write: (text: string) => {
        output += text;
      },
    });
    const outcome = await Promise.race([
      watching.then(() => 'returned'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 20_000)),
    ]);
    expect(outcome).toBe('returned');
    expect(output).toContain('run-crashed');
    expect(process.exitCode).toBe(1);
  }, 30_000);
});

describe('roma runs watch on an ended run', () => {
  it('exits non-zero when the run it shows failed, as solve does', async () => {
    await startedBy('run-failed', process.pid);
    await store.append({
      type: 'execution-end',
      executionId: 'run-failed',
      timestamp: new Date().toISOString(),
      status: 'FAILED',
      reason: null,
      result: null,
      error: { code: 'TASK_FAILED', message: 'boom' },
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 },
      nodeCount: 0,
      durationMs: 1,
    });
    let output = '';
    await watchRun(runControl(), 'run-failed', 'plain', {
      write: (text: string) => {
        output += text;
      },
    });
    expect(output).toContain('run-failed');
    expect(process.exitCode).toBe(1);
  });
});

describe('roma runs list', () => {
  it('says which RUNNING runs no process runs any more', async () => {
    await startedBy('run-stalled', deadPid());
    await store.close();
    const listed = runRoma(['runs', 'list'], { cwd: dataDir, env: { ROMA_DATA_DIR: dataDir } });
    store = SqliteExecutionStore.open({ dataDir });
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('run-stalled');
    expect(listed.stderr).toContain('roma runs resume run-stalled');
  }, 60_000);

  it('says which runs of another host stopped beating, and not those whose runner there still beats', async () => {
    const start = async (executionId: string, runnerId: string) => {
      await startRunAs(store, executionId, { pid: 4242, hostname: 'other-host', runnerId });
      await store.beat(executionId, { runnerId, intervalMs: executionId === 'run-beating' ? 60_000 : 20 });
    };
    await start('run-silent', 'runner-silent');
    await start('run-beating', 'runner-beating');
    await new Promise((resolve) => setTimeout(resolve, 150));
    await store.close();
    const listed = runRoma(['runs', 'list'], { cwd: dataDir, env: { ROMA_DATA_DIR: dataDir } });
    store = SqliteExecutionStore.open({ dataDir });
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stderr).toContain('run-silent is not running (process 4242 on other-host stopped beating)');
    expect(listed.stderr).not.toContain('run-beating is not running');
  }, 60_000);
});
