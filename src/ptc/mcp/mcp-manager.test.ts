// The MCP manager against real stdio servers: the in-repo test servers and the published memory server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataServerConfig,
  envReference,
  memoryServerConfig,
  smallServerConfig,
} from '../../../test/support/mcp-servers/index.js';
import { McpManager } from './mcp-manager.js';

const SECRET = 'sk-test-7f3a9c2e5b1d';
let directory: string;
let manager: McpManager;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'roma-mcp-'));
  manager = new McpManager({
    servers: {
      small: smallServerConfig({
        TEST_SECRET: envReference('ROMA_TEST_SECRET'),
        API_TOKEN: 'already-expanded-7d2f',
      }),
      data: dataServerConfig(),
      memory: memoryServerConfig(join(directory, 'memory.jsonl')),
      limited: { ...smallServerConfig(), allowTools: ['add'] },
      missing: smallServerConfig({ TOKEN: envReference('ROMA_NOT_SET_ANYWHERE') }),
    },
    hostEnv: { ...process.env, ROMA_TEST_SECRET: SECRET },
  });
});

afterAll(async () => {
  await manager.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('McpManager', () => {
  it('lists the tools of each server with their JSON Schemas', async () => {
    const tools = await manager.listTools('small');
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['add', 'echo', 'fail', 'secret_status']),
    );
    const add = tools.find((tool) => tool.name === 'add');
    expect(add?.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' } } });
  });

  it('calls tools and parses JSON answers', async () => {
    expect((await manager.callTool('small', 'add', { a: 2, b: 3 })).value).toBe('5');
    const orders = await manager.callTool('data', 'list_orders', { status: 'refunded' });
    expect(orders.bytes).toBeGreaterThan(10_000);
    expect(orders.value).toMatchObject({ total: expect.any(Number) });
  });

  it('passes a secret referenced as a host env var to the server process resolved on the host', async () => {
    const status = await manager.callTool('small', 'secret_status', {});
    expect(status.value).toEqual({ present: true, length: SECRET.length });
    expect(manager.redact(`token ${SECRET} leaked`)).toBe('token *** leaked');
    // A value the config loader expanded already is still known as a secret by its name.
    expect(manager.redact('x already-expanded-7d2f y')).toBe('x *** y');
  });

  it('turns a tool error into TOOL_FAILED with the server message', async () => {
    await expect(manager.callTool('small', 'fail', { reason: 'quota exhausted' })).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      message: expect.stringContaining('quota exhausted'),
    });
  });

  it('keeps one connection open across calls and reconnects after the server dies', async () => {
    const first = (await manager.callTool('small', 'call_count', {})).value as { count: number; pid: number };
    const second = (await manager.callTool('small', 'call_count', {})).value as {
      count: number;
      pid: number;
    };
    expect(second.pid).toBe(first.pid);
    expect(second.count).toBe(first.count + 1);
    await manager.callTool('small', 'crash', {});
    // The child exits shortly after answering; wait (bounded) until the manager notices.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (manager.status().find((state) => state.name === 'small')?.status !== 'connected') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const third = (await manager.callTool('small', 'call_count', {})).value as { count: number; pid: number };
    expect(third.pid).not.toBe(first.pid);
    expect(manager.status().find((state) => state.name === 'small')?.connects).toBe(2);
  });

  it('enforces a per-call timeout', async () => {
    await expect(manager.callTool('small', 'sleep', { ms: 5_000 }, { timeoutMs: 200 })).rejects.toMatchObject(
      {
        code: 'TOOL_FAILED',
        message: expect.stringMatching(/timed out|timeout/i),
      },
    );
  });

  it('applies the allowlist to listing and calling', async () => {
    expect((await manager.listTools('limited')).map((tool) => tool.name)).toEqual(['add']);
    await expect(manager.callTool('limited', 'echo', { message: 'x' })).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      field: 'ptc.mcpServers.limited.allowTools',
    });
  });

  it('reports an unset host env var reference as a config error naming the field', async () => {
    await expect(manager.listTools('missing')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      field: 'ptc.mcpServers.missing.env.TOKEN',
    });
    expect(manager.status().find((state) => state.name === 'missing')?.status).toBe('failed');
  });

  it('works with the published memory server', async () => {
    const names = (await manager.listTools('memory')).map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['create_entities', 'read_graph']));
    await manager.callTool('memory', 'create_entities', {
      entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote the first program'] }],
    });
    const graph = await manager.callTool('memory', 'read_graph', {});
    expect(graph.text).toContain('wrote the first program');
  });
});

describe('McpManager with credentials in a server URL', () => {
  it('redacts a URL password and an api key query value from connect errors and status', async () => {
    const urlManager = new McpManager({
      servers: {
        web: {
          transport: 'http',
          url: 'http://user:url-pass-5e8d1c@127.0.0.1:1/mcp?api_key=url-key-9b4f2a&region=eu',
          headers: {},
          timeoutMs: 3_000,
        } as never,
      },
    });
    try {
      const failure = await urlManager.listTools('web').then(
        () => 'connected',
        (error: Error) => error.message,
      );
      const seen = `${failure} ${JSON.stringify(urlManager.status())}`;
      expect(seen).toContain('cannot connect to MCP server web');
      expect(seen).not.toContain('url-pass-5e8d1c');
      expect(seen).not.toContain('url-key-9b4f2a');
    } finally {
      await urlManager.close();
    }
  });
});
