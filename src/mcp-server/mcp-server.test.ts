// `roma mcp serve --demo` driven by the MCP SDK's own client over stdio: tools, solve with progress, cancel,
// resources — against the real CLI in a child process and the real SQLite store it writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RunReportSchema } from '../contracts/index.js';
import { loadDemoTree } from '../dev/index.js';
import { McpTestClients, storedRun } from './mcp-test-support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'roma-mcp-'));
const mcp = new McpTestClients();
const DEMO_GOAL = loadDemoTree().goal;

afterEach(() => mcp.closeAll());
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const connect = (latencyMs: number) => mcp.stdio(dataDir, latencyMs);
const storedStatus = async (executionId: string) => (await storedRun(dataDir, executionId))?.status;

describe('roma mcp serve (stdio)', { timeout: 120_000 }, () => {
  it('lists its tools with input and output schemas', async () => {
    const client = await connect(0);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      ['run_cancel', 'run_events', 'run_get', 'run_resume', 'runs_list', 'solve'].sort(),
    );
    const solve = tools.find((tool) => tool.name === 'solve')!;
    expect(solve.inputSchema.required).toEqual(['goal']);
    expect(solve.outputSchema?.properties).toHaveProperty('answer');
  });

  it('solves the demo goal, sending progress notifications in order, and returns the run as structured content', async () => {
    const client = await connect(0);
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'solve', arguments: { goal: DEMO_GOAL } }, undefined, {
      onprogress: (update) => progress.push(update),
      timeout: 60_000,
    });
    expect(result.isError).toBeFalsy();
    const report = RunReportSchema.parse(result.structuredContent);
    expect(report.status).toBe('COMPLETED');
    expect(report.answer).toBeTruthy();
    expect(report.totals.tasks).toBeGreaterThan(1);
    expect(progress.length).toBeGreaterThan(0);
    const values = progress.map((update) => update.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(progress.at(-1)?.message).toBe('run completed');
    expect(await storedStatus(report.executionId)).toBe('COMPLETED');

    // The run is then a resource, and shows in runs_list and run_get.
    const resource = await client.readResource({ uri: `roma://runs/${report.executionId}` });
    const first = resource.contents[0] as { text: string; mimeType: string };
    expect(first.mimeType).toBe('application/json');
    expect(RunReportSchema.parse(JSON.parse(first.text)).executionId).toBe(report.executionId);
    const listed = await client.callTool({ name: 'runs_list', arguments: {} });
    expect(JSON.stringify(listed.structuredContent)).toContain(report.executionId);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate).sort()).toEqual(
      ['roma://runs/{executionId}', 'roma://runs/{executionId}/artifacts/{name}'].sort(),
    );
  });

  it('cancels the run when the client cancels solve, and the store says CANCELLED', async () => {
    const client = await connect(400);
    const controller = new AbortController();
    let executionId: string | undefined;
    const call = client
      .callTool({ name: 'solve', arguments: { goal: DEMO_GOAL } }, undefined, {
        signal: controller.signal,
        onprogress: () => undefined,
        timeout: 60_000,
      })
      .catch((error: unknown) => error);
    // The run exists once runs_list shows it.
    for (let attempt = 0; attempt < 100 && !executionId; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const listed = (await client.callTool({ name: 'runs_list', arguments: { status: 'RUNNING' } }))
        .structuredContent as { runs: Array<{ executionId: string }> };
      executionId = listed.runs[0]?.executionId;
    }
    expect(executionId).toBeTruthy();
    controller.abort('the user pressed stop');
    expect(await call).toBeInstanceOf(Error);
    let status: string | undefined;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      status = await storedStatus(executionId!);
      if (status !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe('CANCELLED');
  });

  it('answers a goal the demo script does not know with a canned reply that says so', async () => {
    const client = await connect(0);
    const result = await client.callTool({ name: 'solve', arguments: { goal: 'Plan a picnic for twelve' } });
    const report = RunReportSchema.parse(result.structuredContent);
    expect(report.status).toBe('COMPLETED');
    expect(report.answer).toContain('scripted demo model');
    expect(report.answer).toContain('Plan a picnic for twelve');
  });

  it('answers an unknown run with a clear error, not a crash', async () => {
    const client = await connect(0);
    const result = await client.callTool({ name: 'run_get', arguments: { executionId: 'no-such-run' } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('NOT_FOUND');
    await expect(client.readResource({ uri: 'roma://runs/no-such-run' })).rejects.toThrow(/no run/);
  });
});
