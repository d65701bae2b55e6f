// roma's MCP server over streamable HTTP (the `/mcp` endpoint of `roma serve` and `roma mcp serve --http`), driven
// by the MCP SDK's own client: tools, solve with progress, cancel, resources, keys, tenants and DNS rebinding.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunReportSchema } from '../contracts/index.js';
import type { TestApiRuntime } from '../server/api-test-support.js';
import { McpTestClients, openMcpTestRuntime } from './mcp-test-support.js';

const KEY_A = 'tenant-a-key-0123456789abcdef';
const KEY_B = 'tenant-b-key-0123456789abcdef';

let test: TestApiRuntime;
const mcp = new McpTestClients();

beforeAll(async () => {
  test = await openMcpTestRuntime();
});
afterEach(() => mcp.closeAll());
afterAll(() => test?.close());

const serve = async (keys: string[]) => (await mcp.serveHttp(test, keys)).url;
const connect = async (url: string, key?: string) => (await mcp.http(url, key)).client;

describe('MCP over streamable HTTP', { timeout: 120_000 }, () => {
  it('solves with progress notifications in order, then serves the run and its artifact as resources', async () => {
    const client = await connect(await serve([]));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('solve');
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'solve', arguments: { goal: test.demoGoal } }, undefined, {
      onprogress: (update) => progress.push(update),
      timeout: 60_000,
    });
    const report = RunReportSchema.parse(result.structuredContent);
    expect(report.status).toBe('COMPLETED');
    expect(progress.map((update) => update.progress)).toEqual(
      progress.map((update) => update.progress).sort((a, b) => a - b),
    );
    expect(progress.at(-1)?.message).toBe('run completed');

    const bytes = new Uint8Array([0, 1, 2, 250, 255, 10]);
    await test.engine.artifacts.put({
      executionId: report.executionId,
      taskId: 'root',
      name: 'data.bin',
      mimeType: 'application/octet-stream',
      bytes,
    });
    const read = await client.readResource({ uri: `roma://runs/${report.executionId}/artifacts/data.bin` });
    const content = read.contents[0] as { blob: string; mimeType: string };
    expect(content.mimeType).toBe('application/octet-stream');
    const received = Buffer.from(content.blob, 'base64');
    expect(createHash('sha256').update(received).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
    const listed = await client.listResources();
    expect(listed.resources.map((resource) => resource.uri)).toContain(`roma://runs/${report.executionId}`);
  });

  it('cancels the run when the client cancels solve', async () => {
    const client = await connect(await serve([]));
    const controller = new AbortController();
    const started = new Promise<void>((resolve) => {
      const call = client.callTool({ name: 'solve', arguments: { goal: test.demoGoal } }, undefined, {
        signal: controller.signal,
        onprogress: () => resolve(),
        timeout: 60_000,
      });
      call.catch(() => undefined);
    });
    await started;
    const running = [...test.engine.runs.active().keys()];
    expect(running.length).toBeGreaterThan(0);
    controller.abort('stop');
    await test.idle();
    for (const executionId of running) {
      expect((await test.engine.store.getExecution(executionId))?.status).toBe('CANCELLED');
    }
  });

  it('needs a key when keys are set, and each key sees only its own runs (and sessions)', async () => {
    const url = await serve([KEY_A, KEY_B]);
    await expect(connect(url)).rejects.toThrow();
    await expect(connect(url, 'wrong-key-0123456789abcdefgh')).rejects.toThrow();
    const clientA = await connect(url, KEY_A);
    const clientB = await connect(url, KEY_B);
    const solved = await clientA.callTool({ name: 'solve', arguments: { goal: test.demoGoal, maxDepth: 0 } });
    const executionId = RunReportSchema.parse(solved.structuredContent).executionId;
    const own = await clientA.callTool({ name: 'run_get', arguments: { executionId } });
    expect(own.isError).toBeFalsy();
    const other = await clientB.callTool({ name: 'run_get', arguments: { executionId } });
    expect(other.isError).toBe(true);
    expect(JSON.stringify(other.content)).toContain('NOT_FOUND');
    const listedByB = await clientB.callTool({ name: 'runs_list', arguments: {} });
    expect(JSON.stringify(listedByB.structuredContent)).not.toContain(executionId);
    await expect(clientB.readResource({ uri: `roma://runs/${executionId}` })).rejects.toThrow(/no run/);
  });

  it('refuses a rebound Host or a foreign Origin (DNS rebinding) with 403, and the positive control passes', async () => {
    const url = await serve([]);
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'probe', version: '1' },
      },
    };
    // node:http, since fetch does not let a caller set Host.
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...headers,
          },
        });
        request.on('response', (response) => {
          resolve(response.statusCode ?? 0);
          response.destroy();
        });
        request.on('error', reject);
        request.end(JSON.stringify(initialize));
      });
    expect(await post({})).toBe(200);
    expect(await post({ host: 'evil.example' })).toBe(403);
    expect(await post({ origin: 'http://evil.example' })).toBe(403);
    expect(await post({ origin: new URL(url).origin })).toBe(200);
  });
});
