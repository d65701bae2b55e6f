// MCP servers over streamable HTTP (/mcp) and SSE (/sse + /messages) on 127.0.0.1, for transport and leak tests.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface HttpMcpServer {
  /** Streamable HTTP endpoint. */
  url: string;
  /** SSE endpoint (the older transport). */
  sseUrl: string;
  /** Authorization headers seen, in order (to check that `${VAR}` headers arrived). */
  authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

/** Builds the McpServer of one connection; `request()` is the HTTP request it is answering. */
export type McpServerBuilder = (request: () => IncomingMessage | undefined) => McpServer;

/** `whoami` tells whether the request carried `expectedAuthorization`. */
function multiplyServer(expectedAuthorization: string): McpServerBuilder {
  return (request) => {
    const server = new McpServer({ name: 'roma-test-http', version: '1.0.0' });
    server.registerTool(
      'multiply',
      { description: 'Multiplies two numbers.', inputSchema: { a: z.number(), b: z.number() } },
      async ({ a, b }) => ({ content: [{ type: 'text', text: String(a * b) }] }),
    );
    server.registerTool(
      'whoami',
      { description: 'Whether the caller sent the expected credentials.' },
      async () => ({
        content: [
          {
            type: 'text',
            text: JSON.stringify({ authorized: request()?.headers.authorization === expectedAuthorization }),
          },
        ],
      }),
    );
    return server;
  };
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** Serves `build`'s servers: a fresh one per streamable-HTTP request, one per SSE session. */
export async function serveMcpOverHttp(build: McpServerBuilder): Promise<HttpMcpServer> {
  const authorizations: Array<string | undefined> = [];
  const sseSessions = new Map<
    string,
    { transport: SSEServerTransport; request: { current?: IncomingMessage } }
  >();
  const http = createServer(async (request, response) => {
    authorizations.push(request.headers.authorization);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    try {
      if (url.pathname === '/mcp') {
        // Stateless: a fresh server and transport per request, as the SDK's stateless example does.
        const server = build(() => request);
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
        response.on('close', () => {
          void transport.close();
          void server.close();
        });
        await server.connect(transport);
        await transport.handleRequest(
          request,
          response,
          request.method === 'POST' ? await readBody(request) : undefined,
        );
        return;
      }
      if (url.pathname === '/sse' && request.method === 'GET') {
        const holder: { current?: IncomingMessage } = { current: request };
        const transport = new SSEServerTransport('/messages', response);
        sseSessions.set(transport.sessionId, { transport, request: holder });
        response.on('close', () => sseSessions.delete(transport.sessionId));
        await build(() => holder.current).connect(transport);
        return;
      }
      if (url.pathname === '/messages' && request.method === 'POST') {
        const session = sseSessions.get(url.searchParams.get('sessionId') ?? '');
        if (!session) {
          response.writeHead(404).end('no session');
          return;
        }
        session.request.current = request;
        await session.transport.handlePostMessage(request, response, await readBody(request));
        return;
      }
      response.writeHead(404).end();
    } catch (error) {
      if (!response.headersSent) response.writeHead(500).end((error as Error).message);
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sseUrl: `http://127.0.0.1:${port}/sse`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** `multiply` and `whoami` over both transports. */
export function startHttpMcpServer(expectedAuthorization: string): Promise<HttpMcpServer> {
  return serveMcpOverHttp(multiplyServer(expectedAuthorization));
}
