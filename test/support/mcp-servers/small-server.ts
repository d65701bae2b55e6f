// A small stdio MCP server for tests: arithmetic, echo, a failing tool, and a probe for a secret env var.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'roma-test-small', version: '1.0.0' });

server.registerTool(
  'add',
  {
    description: 'Adds two numbers and returns the sum.',
    inputSchema: { a: z.number().describe('first addend'), b: z.number().describe('second addend') },
  },
  async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
);

server.registerTool(
  'echo',
  {
    description: 'Returns the given message unchanged.',
    inputSchema: { message: z.string().describe('text to echo back') },
  },
  async ({ message }) => ({ content: [{ type: 'text', text: message }] }),
);

server.registerTool(
  'fail',
  {
    description: 'Always fails with the given reason.',
    inputSchema: { reason: z.string().optional().describe('message of the error') },
  },
  async ({ reason }) => {
    throw new Error(reason ?? 'this tool always fails');
  },
);

// Tells whether the secret reached the server (it must: the host passes it) without revealing its value.
server.registerTool(
  'secret_status',
  { description: 'Reports whether TEST_SECRET is set in the server environment, and its length.' },
  async () => {
    const secret = process.env.TEST_SECRET ?? '';
    return {
      content: [
        { type: 'text', text: JSON.stringify({ present: secret.length > 0, length: secret.length }) },
      ],
    };
  },
);

// Counts calls so a test can see that one process served several executions.
let callCount = 0;
server.registerTool(
  'call_count',
  { description: 'How many times this tool was called in this server process, and the process id.' },
  async () => {
    callCount += 1;
    return { content: [{ type: 'text', text: JSON.stringify({ count: callCount, pid: process.pid }) }] };
  },
);

// Lets a test kill the server to check that the host reconnects.
server.registerTool('crash', { description: 'Exits the server process (tests reconnection).' }, async () => {
  setTimeout(() => process.exit(1), 10);
  return { content: [{ type: 'text', text: 'bye' }] };
});

server.registerTool(
  'sleep',
  {
    description: 'Waits the given number of milliseconds, then answers.',
    inputSchema: { ms: z.number().int().min(0).max(60_000) },
  },
  async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { content: [{ type: 'text', text: `slept ${ms}` }] };
  },
);

await server.connect(new StdioServerTransport());
