// `solve` as an MCP task over stdio, driven by the MCP SDK's own client against `roma mcp serve --demo` in a child
// process: the task id comes at once, tasks/get follows the run, tasks/result is what a direct solve returns, and
// tasks/cancel leaves the run CANCELLED in the store the CLI writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RunReportSchema } from '../contracts/index.js';
import { loadDemoTree } from '../dev/index.js';
import { McpTestClients, storedRun } from './mcp-test-support.js';
import { pollTask, runOf } from './task-test-support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'roma-mcp-tasks-'));
const mcp = new McpTestClients();
const DEMO_GOAL = loadDemoTree().goal;

afterEach(() => mcp.closeAll());
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const connect = (latencyMs: number) => mcp.stdio(dataDir, latencyMs);

describe('solve as an MCP task (stdio)', { timeout: 120_000 }, () => {
  it('advertises task support on solve only, and a plain solve call leaves no task behind', async () => {
    const client = await connect(0);
    expect(client.getServerCapabilities()?.tasks?.requests?.tools?.call).toBeDefined();
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === 'solve')?.execution?.taskSupport).toBe('optional');
    expect(tools.find((tool) => tool.name === 'run_get')?.execution?.taskSupport).not.toBe('optional');
    const plain = await client.callTool({ name: 'solve', arguments: { goal: DEMO_GOAL, maxDepth: 0 } });
    expect(RunReportSchema.parse(plain.structuredContent).status).toBe('COMPLETED');
    expect((await client.experimental.tasks.listTasks()).tasks).toEqual([]);
  });

  it('answers with a task at once, reports the run while it works, and tasks/result is the run as solve returns it', async () => {
    const client = await connect(50);
    const progress: Progress[] = [];
    const created = await client.request(
      { method: 'tools/call', params: { name: 'solve', arguments: { goal: DEMO_GOAL } } },
      CreateTaskResultSchema,
      { task: { ttl: 600_000 }, onprogress: (update) => progress.push(update) },
    );
    const taskId = created.task.taskId;
    expect(created.task.status).toBe('working');
    expect(created.task.ttl).toBe(600_000);
    const working = await client.experimental.tasks.getTask(taskId);
    expect(runOf(working).executionId).toBe(taskId);
    expect(working.statusMessage).toContain(`run ${taskId}`);

    const finished = await pollTask(client, taskId, (task) => task.status !== 'working');
    expect(finished.status).toBe('completed');
    expect(finished.statusMessage).toMatch(/completed: (\d+) of \1 tasks finished/);
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    const report = RunReportSchema.parse(result.structuredContent);
    expect(report.executionId).toBe(taskId);
    expect(report.status).toBe('COMPLETED');
    const stored = await storedRun(dataDir, taskId);
    expect(stored?.status).toBe('COMPLETED');
    expect(report.answer).toBe(stored?.result);
    // The same report run_get gives for the run.
    const viaRunGet = await client.callTool({ name: 'run_get', arguments: { executionId: taskId } });
    expect(result.structuredContent).toEqual(viaRunGet.structuredContent);
    expect(result.content).toEqual(viaRunGet.content);
    // Progress went on after the task was handed back, up to the run's end.
    expect(progress.at(-1)?.message).toBe('run completed');
    const listed = await client.experimental.tasks.listTasks();
    expect(listed.tasks.map((task) => task.taskId)).toEqual([taskId]);
  });

  it("the SDK's own task flow (callToolStream) gets the task, its statuses and the result", async () => {
    const client = await connect(0);
    await client.listTools();
    const kinds: string[] = [];
    let structured: unknown;
    for await (const message of client.experimental.tasks.callToolStream(
      { name: 'solve', arguments: { goal: DEMO_GOAL, maxDepth: 0 } },
      CallToolResultSchema,
      { task: { ttl: 120_000 } },
    )) {
      kinds.push(message.type);
      if (message.type === 'result') structured = message.result.structuredContent;
      if (message.type === 'error') throw message.error;
    }
    expect(kinds[0]).toBe('taskCreated');
    expect(kinds.at(-1)).toBe('result');
    expect(RunReportSchema.parse(structured).status).toBe('COMPLETED');
  });

  it('tasks/cancel cancels the run mid-way: the task and the stored run say cancelled', async () => {
    const client = await connect(400);
    const created = await client.request(
      { method: 'tools/call', params: { name: 'solve', arguments: { goal: DEMO_GOAL } } },
      CreateTaskResultSchema,
      { task: {} },
    );
    const taskId = created.task.taskId;
    // Mid-run: at least one of its tasks has started.
    await pollTask(client, taskId, (task) => runOf(task).tasks > 0);
    expect((await storedRun(dataDir, taskId))?.status).toBe('RUNNING');
    const cancelled = await client.experimental.tasks.cancelTask(taskId);
    expect(cancelled.status).toBe('cancelled');
    expect((await storedRun(dataDir, taskId))?.status).toBe('CANCELLED');
    expect((await client.experimental.tasks.getTask(taskId)).status).toBe('cancelled');
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(RunReportSchema.parse(result.structuredContent).status).toBe('CANCELLED');
    // A finished task cannot be cancelled again.
    await expect(client.experimental.tasks.cancelTask(taskId)).rejects.toThrow(/terminal/);
  });
});
