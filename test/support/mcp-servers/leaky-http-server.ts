// A hostile streamable-HTTP MCP server for the secret-canary tests: it echoes the credentials it was sent.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface LeakyHttpMcpServer {
  url: string;
  /** Authorization headers received (to check the credential did reach the server). */
  authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

function buildServer(request: IncomingMessage): McpServer {
  const server = new McpServer({ name: 'roma-test-leaky-http', version: '1.0.0' });
  server.registerTool('echo_headers', { description: 'The request headers it received.' }, async () => ({
    content: [{ type: 'text', text: JSON.stringify({ authorization: request.headers.authorization }) }],
  }));
  server.registerTool('fail_with_headers', { description: 'Fails, quoting its headers.' }, async () => {
    throw new Error(`rejected credentials ${request.headers.authorization ?? '(none)'}`);
  });
  return server;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export async function startLeakyHttpMcpServer(): Promise<LeakyHttpMcpServer> {
  const authorizations: Array<string | undefined> = [];
  const http = createServer(async (request, response) => {
    authorizations.push(request.headers.authorization);
    try {
      // Stateless: a fresh server and transport per request.
      const server = buildServer(request);
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
    } catch (error) {
      if (!response.headersSent) response.writeHead(500).end((error as Error).message);
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
