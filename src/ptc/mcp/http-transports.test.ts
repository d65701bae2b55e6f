// The MCP manager over streamable HTTP and SSE, with a `${VAR}` Authorization header resolved on the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  envReference,
  type HttpMcpServer,
  startHttpMcpServer,
} from '../../../test/support/mcp-servers/index.js';
import { McpManager } from './mcp-manager.js';

const TOKEN = 'tok-5d1c9e7f3a';
let server: HttpMcpServer;
let manager: McpManager;

beforeAll(async () => {
  server = await startHttpMcpServer(`Bearer ${TOKEN}`);
  const headers = { Authorization: `Bearer ${envReference('HTTP_MCP_TOKEN')}` };
  manager = new McpManager({
    servers: {
      streamable: { transport: 'http', url: server.url, headers, timeoutMs: 10_000 },
      sse: { transport: 'sse', url: server.sseUrl, headers, timeoutMs: 10_000 },
    },
    hostEnv: { HTTP_MCP_TOKEN: TOKEN },
  });
});

afterAll(async () => {
  await manager?.close();
  await server?.close();
});

describe.each(['streamable', 'sse'])('McpManager over %s', (name) => {
  it('lists and calls tools, sending the resolved header', async () => {
    expect((await manager.listTools(name)).map((tool) => tool.name)).toEqual(['multiply', 'whoami']);
    expect((await manager.callTool(name, 'multiply', { a: 6, b: 7 })).value).toBe('42');
    expect((await manager.callTool(name, 'whoami', {})).value).toEqual({ authorized: true });
    expect(manager.status().find((state) => state.name === name)).toMatchObject({
      status: 'connected',
      connects: 1,
    });
  });
});
