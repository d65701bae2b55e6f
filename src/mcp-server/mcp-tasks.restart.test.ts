// A solve task outlives the server that handed it out: `roma mcp serve` restarted on the same store finds the task
// from its run's log — finished, still running elsewhere, or interrupted by the restart itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RunReportSchema } from '../contracts/index.js';
import { loadDemoTree } from '../dev/index.js';
import { McpTestClients, storedRun } from './mcp-test-support.js';
import { pollTask, runOf } from './task-test-support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'roma-mcp-restart-'));
const mcp = new McpTestClients();
const DEMO_GOAL = loadDemoTree().goal;

afterEach(() => mcp.closeAll());
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Waits (bounded) for a killed process to be gone, so its pid reads as dead. */
async function gone(pid: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`process ${pid} still alive after SIGKILL`);
}

describe('a solve task across a restart of the MCP server (stdio)', { timeout: 120_000 }, () => {
  it('is found again with its status and result, and a plain solve run is not a task', async () => {
    const first = await mcp.stdio(dataDir, 0);
    const created = await first.request(
      { method: 'tools/call', params: { name: 'solve', arguments: { goal: DEMO_GOAL, maxDepth: 0 } } },
      CreateTaskResultSchema,
      { task: { ttl: 600_000 } },
    );
    const taskId = created.task.taskId;
    await pollTask(first, taskId, (task) => task.status !== 'working');
    const plain = await first.callTool({ name: 'solve', arguments: { goal: DEMO_GOAL, maxDepth: 0 } });
    const plainRun = RunReportSchema.parse(plain.structuredContent).executionId;
    await mcp.closeAll();

    const second = await mcp.stdio(dataDir, 0);
    const task = await second.experimental.tasks.getTask(taskId);
    expect(task.status).toBe('completed');
    expect(task.ttl).toBe(600_000);
    expect(runOf(task)).toMatchObject({ executionId: taskId, status: 'COMPLETED' });
    expect(runOf(task).finishedTasks).toBeGreaterThan(0);
    expect(task.statusMessage).toMatch(/completed: (\d+) of \1 tasks finished/);
    const result = await second.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(RunReportSchema.parse(result.structuredContent)).toMatchObject({
      executionId: taskId,
      status: 'COMPLETED',
    });
    // Once found it is listed, as the tasks this server handed out are.
    expect((await second.experimental.tasks.listTasks()).tasks.map((listed) => listed.taskId)).toContain(
      taskId,
    );
    // A run started by a plain call is in the store too, but it never was a task.
    expect((await storedRun(dataDir, plainRun))?.status).toBe('COMPLETED');
    await expect(second.experimental.tasks.getTask(plainRun)).rejects.toThrow(/not found/i);
    await expect(second.experimental.tasks.getTask('no-such-run')).rejects.toThrow(/not found/i);
  });

  it('says a task whose server died mid-run was interrupted, and how to resume it', async () => {
    const { client: first, pid } = await mcp.stdioServer(dataDir, 400);
    const created = await first.request(
      { method: 'tools/call', params: { name: 'solve', arguments: { goal: DEMO_GOAL } } },
      CreateTaskResultSchema,
      { task: { ttl: 600_000 } },
    );
    const taskId = created.task.taskId;
    const working = await pollTask(first, taskId, (task) => runOf(task).tasks > 0);
    expect(working.status).toBe('working');
    process.kill(pid, 'SIGKILL');
    await gone(pid);
    await mcp.closeAll();
    expect((await storedRun(dataDir, taskId))?.status).toBe('RUNNING');

    const second = await mcp.stdio(dataDir, 0);
    const task = await second.experimental.tasks.getTask(taskId);
    expect(task.status).toBe('failed');
    expect(task.statusMessage).toContain('interrupted');
    expect(task.statusMessage).toContain(`roma runs resume ${taskId}`);
    expect(task.statusMessage).toContain('run_resume');
    expect(runOf(task)).toMatchObject({ executionId: taskId, status: 'RUNNING' });
    expect(runOf(task).tasks).toBeGreaterThan(0);
  });
});
