// `solve` as an MCP task over streamable HTTP (the `/mcp` endpoint), driven by the MCP SDK's own client: a task
// outlives the session that made it, another key cannot see, read or cancel it, tasks/cancel cancels the run, and
// a call refused before its run starts is a failed task that says why.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunReportSchema } from '../contracts/index.js';
import type { TestApiRuntime } from '../server/api-test-support.js';
import { McpTestClients, openMcpTestRuntime } from './mcp-test-support.js';
import { pollTask, runOf } from './task-test-support.js';

const KEY_A = 'tenant-a-key-0123456789abcdef';
const KEY_B = 'tenant-b-key-0123456789abcdef';

let test: TestApiRuntime;
const mcp = new McpTestClients();

beforeAll(async () => {
  test = await openMcpTestRuntime();
});
afterEach(() => mcp.closeAll());
afterAll(() => test?.close());

const serve = (keys: string[]) => mcp.serveHttp(test, keys);
const connect = (url: string, key?: string) => mcp.http(url, key);

async function solveAsTask(
  client: Client,
  args: Record<string, unknown>,
  onprogress: (progress: Progress) => void = () => undefined,
) {
  const created = await client.request(
    { method: 'tools/call', params: { name: 'solve', arguments: args } },
    CreateTaskResultSchema,
    { task: { ttl: 600_000 }, onprogress },
  );
  return created.task;
}

describe('solve as an MCP task over streamable HTTP', { timeout: 120_000 }, () => {
  it('a task outlives its session, and another key can neither see, read nor cancel it', async () => {
    const { url, handler } = await serve([KEY_A, KEY_B]);
    const a = await connect(url, KEY_A);
    const b = (await connect(url, KEY_B)).client;
    const task = await solveAsTask(a.client, { goal: test.demoGoal });
    const taskId = task.taskId;
    expect(task.status).toBe('working');

    // Positive control: the key that made it sees it.
    expect((await a.client.experimental.tasks.getTask(taskId)).taskId).toBe(taskId);
    expect((await a.client.experimental.tasks.listTasks()).tasks.map((each) => each.taskId)).toContain(
      taskId,
    );
    await expect(b.experimental.tasks.getTask(taskId)).rejects.toThrow(/not found/i);
    await expect(b.experimental.tasks.getTaskResult(taskId, CallToolResultSchema)).rejects.toThrow(
      /not found/i,
    );
    await expect(b.experimental.tasks.cancelTask(taskId)).rejects.toThrow(/not found/i);
    expect((await b.experimental.tasks.listTasks()).tasks.map((each) => each.taskId)).not.toContain(taskId);
    expect((await test.engine.store.getExecution(taskId))?.status).toBe('RUNNING');

    // The session that made it ends; a new session of the same key finds the task and its result.
    await a.transport.terminateSession();
    await a.client.close();
    expect(handler.sessionCount()).toBe(1);
    const again = (await connect(url, KEY_A)).client;
    const finished = await pollTask(again, taskId, (state) => state.status !== 'working');
    expect(finished.status).toBe('completed');
    expect(runOf(finished).status).toBe('COMPLETED');
    const result = await again.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    const report = RunReportSchema.parse(result.structuredContent);
    expect(report.executionId).toBe(taskId);
    const stored = await test.engine.store.getExecution(taskId);
    expect(stored?.status).toBe(report.status);
    expect(stored?.result).toBe(report.answer);
    // Finished, it is still not the other key's.
    await expect(b.experimental.tasks.getTaskResult(taskId, CallToolResultSchema)).rejects.toThrow(
      /not found/i,
    );
  });

  it('after a restart of the /mcp front end (a new one on the same store) the task is found again, still its key’s alone', async () => {
    const before = await serve([KEY_A, KEY_B]);
    const a = (await connect(before.url, KEY_A)).client;
    const taskId = (await solveAsTask(a, { goal: test.demoGoal, maxDepth: 0 })).taskId;
    await pollTask(a, taskId, (state) => state.status !== 'working');
    await mcp.closeAll();

    // A new front end: its task registry is empty, the runs are in the store.
    const after = await serve([KEY_A, KEY_B]);
    const b = (await connect(after.url, KEY_B)).client;
    await expect(b.experimental.tasks.getTask(taskId)).rejects.toThrow(/not found/i);
    await expect(b.experimental.tasks.getTaskResult(taskId, CallToolResultSchema)).rejects.toThrow(
      /not found/i,
    );
    const again = (await connect(after.url, KEY_A)).client;
    const found = await again.experimental.tasks.getTask(taskId);
    expect(found.status).toBe('completed');
    const report = RunReportSchema.parse(
      (await again.experimental.tasks.getTaskResult(taskId, CallToolResultSchema)).structuredContent,
    );
    expect(report).toMatchObject({ executionId: taskId, status: 'COMPLETED' });
    // Found by its key, it is still not the other key's to list.
    expect((await b.experimental.tasks.listTasks()).tasks.map((each) => each.taskId)).not.toContain(taskId);
  });

  it('sends progress after handing the task back, and tasks/cancel cancels the run mid-way (store: CANCELLED)', async () => {
    const { url } = await serve([]);
    const { client } = await connect(url);
    const progress: Progress[] = [];
    const task = await solveAsTask(client, { goal: test.demoGoal }, (update) => progress.push(update));
    // The call's own stream closed with the task; progress comes on the session's stream.
    await pollTask(client, task.taskId, () => progress.length > 0);
    expect(progress[0]?.message).toMatch(/^task /);
    expect((await test.engine.store.getExecution(task.taskId))?.status).toBe('RUNNING');
    const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled.status).toBe('cancelled');
    expect((await test.engine.store.getExecution(task.taskId))?.status).toBe('CANCELLED');
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(RunReportSchema.parse(result.structuredContent).status).toBe('CANCELLED');
  });

  it('a FAILED run is a failed task, a run STOPPED by its budget a completed one; tasks/result has the report', async () => {
    const { url } = await serve([]);
    const { client } = await connect(url);
    const failing = await solveAsTask(client, { goal: test.demoGoal, model: 'nope:x' });
    const stopping = await solveAsTask(client, { goal: test.demoGoal, maxTokens: 1 });
    const failed = await pollTask(client, failing.taskId, (state) => state.status !== 'working');
    expect(failed.status).toBe('failed');
    const failure = await client.experimental.tasks.getTaskResult(failing.taskId, CallToolResultSchema);
    expect(failure.isError).toBe(true);
    expect(RunReportSchema.parse(failure.structuredContent)).toMatchObject({
      status: 'FAILED',
      error: expect.stringContaining('CONFIG_INVALID'),
    });
    const stopped = await pollTask(client, stopping.taskId, (state) => state.status !== 'working');
    expect(stopped.status).toBe('completed');
    const result = await client.experimental.tasks.getTaskResult(stopping.taskId, CallToolResultSchema);
    expect(result.isError).toBeFalsy();
    expect(RunReportSchema.parse(result.structuredContent)).toMatchObject({
      status: 'STOPPED',
      reason: 'max-tokens',
    });
    expect((await test.engine.store.getExecution(stopping.taskId))?.status).toBe('STOPPED');
  });

  it('a call refused before its run starts is a failed task whose result says why', async () => {
    const { url } = await serve([]);
    const { client } = await connect(url);
    const task = await solveAsTask(client, { goal: test.demoGoal, profile: 'nightly' });
    expect(task.status).toBe('failed');
    expect(task.statusMessage).toContain('profile "nightly"');
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect(result.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining('profile "nightly"'),
    });
    // Positive control: the same call without the profile makes a working task.
    expect((await solveAsTask(client, { goal: test.demoGoal, maxDepth: 0 })).status).toBe('working');
  });
});
